from django.urls import path

from . import views

app_name = "declarations"

# Public (no account): the traveller's form, their receipt page and the areas in force.
PUBLIC_ROUTES = ["declare", "receipt", "public-notices"]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("declare/<slug:city>/", views.declare, name="declare"),
    path("r/<str:receipt>/", views.receipt, name="receipt"),
    path("areas/", views.public_notices, name="public-notices"),
    path("d/<int:pk>/", views.declaration_detail, name="declaration"),
    path("d/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("measures/<int:pk>/record/", views.record_measure, name="record-measure"),
    path("handovers/<int:pk>/receive/", views.receive_handover, name="receive-handover"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/new/", views.notice_create, name="notice-create"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/publish/", views.notice_publish, name="notice-publish"),
    path("notices/<int:pk>/amend/", views.notice_amend, name="notice-amend"),
    path("notices/<int:pk>/lift/", views.notice_lift, name="notice-lift"),
    path("areas/<int:pk>/place/", views.area_place, name="area-place"),
    path("bulletin/", views.bulletin_page, name="bulletin"),
    path("bulletin.docx", views.bulletin_download, {"fmt": "docx"}, name="bulletin-docx"),
    path("bulletin.xlsx", views.bulletin_download, {"fmt": "xlsx"}, name="bulletin-xlsx"),
    path("statistics/", views.statistics_page, name="statistics"),
    path("statistics.xlsx", views.statistics_xlsx, name="statistics-xlsx"),
]
