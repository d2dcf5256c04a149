"""Bulletin pages; included by the supervision URLs at bulletins/, inside the "supervision" namespace."""

from django.urls import path

from . import bulletin_views

urlpatterns = [
    path("", bulletin_views.bulletin_list, name="bulletins"),
    path("new/", bulletin_views.bulletin_new, name="bulletin-new"),
    path("<int:pk>/", bulletin_views.bulletin_detail, name="bulletin"),
    path("<int:pk>/docx/", bulletin_views.bulletin_docx, name="bulletin-docx"),
    path("<int:pk>/pdf/", bulletin_views.bulletin_pdf, name="bulletin-pdf"),
    path("<int:pk>/xlsx/", bulletin_views.bulletin_xlsx, name="bulletin-xlsx"),
]
