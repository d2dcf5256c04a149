"""The JSON API: one NinjaAPI that mounts each app's router and answers errors in one shape."""

from xietong.airquality.api import router as airquality_router
from xietong.core import api_errors
from xietong.core.api import SessionAuth, TokenAuth
from xietong.core.api import router as core_router
from xietong.declarations.api import router as declarations_router
from xietong.meetings.api import router as meetings_router
from xietong.regions.api import router as regions_router
from xietong.supervision.api import router as supervision_router
from xietong.water.api import router as water_router

api = api_errors.DocumentedAPI(
    title="xietong API",
    version="1",
    urls_namespace="api",
    # Machine clients send "Authorization: Bearer <token>"; the browser uses its session (with CSRF).
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
)
api_errors.install(api)
api.add_router("/", core_router)
api.add_router("/regions/", regions_router)
api.add_router("/supervision/", supervision_router)
api.add_router("/meetings/", meetings_router)
api.add_router("/airquality/", airquality_router)
api.add_router("/water/", water_router)
api.add_router("/declarations/", declarations_router)
