from django.urls import path

from . import views

app_name = "airquality"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("public/", views.public_warnings, name="public"),
    path("stations/", views.station_list, name="stations"),
    path("stations/<str:code>/", views.station_detail, name="station"),
    path("readings/upload/", views.upload, name="upload"),
    path("forecasts/", views.forecasts, name="forecasts"),
    path("rules/", views.rules, name="rules"),
    path("warnings/", views.warning_list, name="warnings"),
    path("warnings/new/", views.warning_issue, name="warning-issue"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning"),
    path("warnings/<int:pk>/level/", views.warning_change_level, name="warning-level"),
    path("warnings/<int:pk>/lift/", views.warning_lift, name="warning-lift"),
    path("warnings/city/<int:pk>/acknowledge/", views.city_warning_acknowledge, name="warning-acknowledge"),
]
