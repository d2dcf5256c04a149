from django.urls import path

from . import views

app_name = "water"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("public/", views.public, name="public"),
    path("monthly/", views.monthly_table, name="monthly"),
    path("sections/<str:code>/", views.section_detail, name="section"),
    path("samples/upload/", views.upload, name="upload"),
    path("misses/", views.misses, name="misses"),
    path("misses/<int:pk>/refer/", views.refer_miss, name="miss-refer"),
    path("statements/", views.statements, name="statements"),
    path("statements/<int:pk>/", views.statement_detail, name="statement"),
    path("statements/<int:pk>/confirm/", views.statement_confirm, name="statement-confirm"),
    path("statements/<int:pk>/statement.xlsx", views.statement_xlsx, name="statement-xlsx"),
    path("joint/", views.joint_list, name="joints"),
    path("joint/<int:pk>/", views.joint_detail, name="joint"),
]
