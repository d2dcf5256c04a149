from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "xietong.meetings"
    label = "meetings"
