from django.urls import path

from . import views

app_name = "deliberation"

urlpatterns = [
    # Public (no account): the concern form, tracking by code, 附议, rating, the scoreboard.
    path("report/", views.report, name="report"),
    path("track/", views.track_lookup, name="track-lookup"),
    path("c/<str:code>/", views.track, name="track"),
    path("c/<str:code>/photo/", views.photo, name="photo"),
    path("c/<str:code>/rate/", views.rate, name="rate"),
    path("c/<str:code>/metoo/", views.me_too, name="me-too"),
    path("concerns/", views.public_list, name="public-list"),
    path("rates/", views.scoreboard, name="scoreboard"),
    path("s/<int:pk>/", views.survey_answer, name="survey-answer"),
    path("s/<int:pk>/results/", views.survey_public_results, name="survey-results"),
    # Staff.
    path("", views.home, name="home"),
    path("hall/<int:pk>/", views.hall_detail, name="hall"),
    path("hall/<int:pk>/group/", views.group_confirm, name="group-confirm"),
    path("concern/<int:pk>/", views.concern_detail, name="concern"),
    path("topic/<int:pk>/", views.topic_detail, name="topic"),
    path("session/<int:pk>/", views.session_detail, name="session"),
    path("hall/<int:pk>/surveys/", views.hall_surveys, name="surveys"),
    path("survey/<int:pk>/", views.survey_detail, name="survey"),
]
