from django.urls import include, path

from . import people_views, register_views, views

app_name = "supervision"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("matters/", views.matter_list, name="matters"),
    path("matters/new/", views.matter_create, name="matter-create"),
    path("matters/xlsx/", register_views.register_xlsx, name="register-xlsx"),
    path("matters/import/", register_views.register_import, name="register-import"),
    path("matters/<int:pk>/", views.matter_detail, name="matter"),
    path("matters/<int:pk>/edit/", views.matter_edit, name="matter-edit"),
    path("matters/<int:pk>/transition/", views.matter_transition, name="matter-transition"),
    path("matters/<int:pk>/reports/", views.matter_report, name="matter-report"),
    path("matters/<int:pk>/urge/", views.matter_urge, name="matter-urge"),
    path("matters/<int:pk>/milestones/", views.milestone_add, name="milestone-add"),
    path("milestones/<int:pk>/complete/", views.milestone_complete, name="milestone-complete"),
    path("reports/<int:pk>/review/", views.report_review, name="report-review"),
    path("reports/<int:pk>/withdraw/", views.report_withdraw, name="report-withdraw"),
    path("urgings/<int:pk>/sign/", views.urging_sign, name="urging-sign"),
    path("urgings/<int:pk>/reply/", views.urging_reply, name="urging-reply"),
    path("matters/<int:pk>/extensions/", views.extension_request, name="extension-request"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension-decide"),
    path("matters/<int:pk>/comments/", people_views.comment_add, name="comment-add"),
    path("matters/<int:pk>/instructions/", people_views.instruction_add, name="instruction-add"),
    path("matters/<int:pk>/follow/", people_views.follow, name="follow"),
    path("matters/<int:pk>/unfollow/", people_views.unfollow, name="unfollow"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("public/<str:code>/", views.public_matter, name="public-matter"),
    path("bulletins/", include("xietong.supervision.bulletin_urls")),
]
