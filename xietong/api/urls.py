"""The JSON API: one NinjaAPI that mounts each app's router."""

from importlib import import_module
from importlib.util import find_spec

from ninja import NinjaAPI
from ninja.security import django_auth

from xietong.core.api import TokenAuth
from xietong.core.api import router as core_router

api = NinjaAPI(
    title="xietong API",
    version="1",
    urls_namespace="api",
    # Machine clients send "Authorization: Bearer <token>"; the browser uses its session (with CSRF).
    auth=[TokenAuth(), django_auth],
    docs_url="/docs",
)
api.add_router("/", core_router)

for app_label in ["regions", "supervision", "meetings", "airquality"]:
    module = f"xietong.{app_label}.api"
    if find_spec(module) is not None:
        api.add_router(f"/{app_label}/", import_module(module).router)
