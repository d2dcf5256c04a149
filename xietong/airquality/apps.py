from django.apps import AppConfig


class AirqualityConfig(AppConfig):
    name = "xietong.airquality"
    label = "airquality"
