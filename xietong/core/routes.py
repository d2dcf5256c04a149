"""Which routes answer whom: the explicit lists the route walk (core/tests/test_route_walk.py) holds every
URL pattern and API operation to. A route on none of these lists must refuse anonymous people, accounts of
no unit and users of a city that has no part in the object asked for.

URL patterns are named "namespace:name"; API operations "METHOD /api/v1/path" as in the OpenAPI document.
"""

# Anyone, without an account: public information and the pages residents use.
PUBLIC = {
    "home",
    "login",
    "logout",
    "set_language",
    # The load balancer's and the operator's probes: they say whether the services answer, nothing more.
    "healthz",
    "readyz",
    "regions:lookup",
    "regions:children",
    "regions:search",
    "supervision:public-matter",
    "airquality:public",
    "water:public",
    # Residents report concerns without an account and follow them by the tracking code they were given.
    "deliberation:report",
    "deliberation:track-lookup",
    "deliberation:track",
    "deliberation:photo",
    "deliberation:rate",
    "deliberation:me-too",
    "deliberation:public-list",
    "deliberation:scoreboard",
    # 社情民意调查: residents answer an opened survey once, and read its results once it is closed.
    "deliberation:survey-answer",
    "deliberation:survey-results",
    # Open311 GeoReport v2: reading is open; posting needs an API key, checked by the endpoint.
    "open311:root",
    "open311:discovery",
    "open311:services",
    "open311:service",
    "open311:requests",
    "open311:request",
    "open311:token",
    "api:openapi-json",
    "api:openapi-view",
    "api:api-root",
    "GET /api/v1/regions/children",
    "GET /api/v1/regions/search",
    "GET /api/v1/regions/resolve",
    "GET /api/v1/regions/{code}",
    "GET /api/v1/airquality/public/warnings",
    # A traveller declares without an account, checks the result with the receipt code, reads the areas.
    "declarations:declare",
    "declarations:receipt",
    "declarations:public-notices",
    "POST /api/v1/declarations/declare/{city}",
    "GET /api/v1/declarations/receipts/{receipt}",
}

# Any logged-in person, about their own account (their inbox and work queue).
ACCOUNT = {
    "work",
    "inbox",
    "inbox-mark-read",
    "inbox-open",
    "GET /api/v1/me",
    "GET /api/v1/notifications",
}

# Any member of any unit of the cluster: lists filtered to what the reader may open, and what the cluster
# shares with all its units (air-quality data and warnings).
CLUSTER = {
    "supervision:dashboard",
    "supervision:matters",
    "supervision:register-xlsx",  # only the matters the reader may open
    "supervision:bulletins",
    "supervision:bulletin",  # bulletins are circulated to every city
    "supervision:bulletin-docx",
    "supervision:bulletin-pdf",
    "supervision:bulletin-xlsx",
    "meetings:meetings",
    "meetings:documents",
    "airquality:dashboard",
    "airquality:upload",  # a city's staff upload their own city's readings
    "airquality:stations",
    "airquality:station",
    "airquality:forecasts",
    "airquality:rules",
    "airquality:warnings",
    "airquality:warning",
    "water:dashboard",
    "water:monthly",
    "water:upload",  # a city's staff upload their own sections' samples
    "water:misses",
    "water:statements",
    "water:joints",
    "deliberation:home",  # lists only the halls of the reader's units
    "water:section",  # monitoring data are shared across the cluster, like the air stations
    "declarations:dashboard",  # only the declarations the reader may open
    "declarations:notices",  # health notices and the daily bulletin are shared with every city
    "declarations:notice",
    "declarations:bulletin",
    "declarations:bulletin-docx",
    "declarations:bulletin-xlsx",
    "GET /api/v1/supervision/matters",
    "GET /api/v1/meetings/meetings",
    "GET /api/v1/airquality/daily",
    "GET /api/v1/airquality/calendar",
    "GET /api/v1/airquality/breakdown",
    "GET /api/v1/airquality/stations",
    "GET /api/v1/airquality/stations/{code}/days",
    "GET /api/v1/airquality/forecasts",
    "GET /api/v1/water/sections",
    "GET /api/v1/water/months",
}
