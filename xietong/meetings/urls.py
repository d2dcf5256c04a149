from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="meetings"),
    path("new/", views.meeting_new, name="meeting-new"),
    path("<int:pk>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("<int:pk>/minutes/docx/", views.minutes_docx, name="minutes-docx"),
    path("<int:pk>/hold/", views.meeting_hold, name="meeting-hold"),
    path("<int:pk>/close/", views.meeting_close, name="meeting-close"),
    path("<int:pk>/agenda/", views.agenda_add, name="agenda-add"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment-add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/documents/new/", views.document_new, name="document-new"),
    path("<int:pk>/decisions/new/", views.decision_new, name="decision-new"),
    path("documents/", views.document_list, name="documents"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("decisions/<int:pk>/matters/new/", views.decision_matter_new, name="decision-matter-new"),
]
