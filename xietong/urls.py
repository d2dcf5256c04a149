"""Every page of the platform. Uploaded files have no URL of their own: each is served by its app's
access-checked view, in every mode."""

from django.contrib import admin
from django.urls import include, path

from xietong.api.urls import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("open311/v2/", include("xietong.deliberation.open311_urls", namespace="open311")),
    path("", include("xietong.core.urls")),
    path("regions/", include("xietong.regions.urls")),
    path("supervision/", include("xietong.supervision.urls")),
    path("meetings/", include("xietong.meetings.urls")),
    path("airquality/", include("xietong.airquality.urls")),
    path("water/", include("xietong.water.urls")),
    path("deliberation/", include("xietong.deliberation.urls")),
    path("declarations/", include("xietong.declarations.urls")),
]
