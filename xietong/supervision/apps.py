from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "xietong.supervision"
    label = "supervision"
