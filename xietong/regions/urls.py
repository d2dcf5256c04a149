from django.urls import path

from . import views

app_name = "regions"

urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("children/", views.children, name="children"),
    path("search/", views.search, name="search"),
]
