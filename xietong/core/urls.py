from django.contrib.auth import views as auth_views
from django.urls import path

from . import health, views
from .forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("work/", views.work, name="work"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_mark_read, name="inbox-mark-read"),
    path("inbox/<int:pk>/", views.inbox_open, name="inbox-open"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="core/login.html", authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
