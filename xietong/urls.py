from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from xietong.api.urls import api

# Each workflow app that has pages mounts them under its own prefix.
WORKFLOW_APPS = ["regions", "supervision", "meetings", "airquality"]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("xietong.core.urls")),
]
for app_label in WORKFLOW_APPS:
    module = f"xietong.{app_label}.urls"
    if find_spec(module) is not None:
        urlpatterns.append(path(f"{app_label}/", include(import_module(module))))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
