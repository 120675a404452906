from django.urls import path

from stage.api import apps
from stage.api import sessions as views

urlpatterns = [
    path("sessions", views.SessionListCreateView.as_view()),
    path("sessions/<id:session_id>/push", views.SessionPushView.as_view()),
    path("sessions/<id:session_id>/files", views.SessionFilesView.as_view()),
    path("sessions/<id:session_id>/files/<path:path>", views.SessionFileView.as_view()),
    path("sessions/<id:session_id>/history", views.SessionHistoryView.as_view()),
    path("sessions/<id:session_id>/snapshots", views.SessionSnapshotsView.as_view()),
    path("sessions/<id:session_id>/snapshots/<id:snapshot_id>/restore", views.SnapshotRestoreView.as_view()),
    path("sessions/<id:session_id>/render", views.SessionRenderView.as_view()),
    path("sessions/<id:session_id>/status", views.SessionStatusView.as_view()),
    path("sessions/<id:session_id>/google-scopes", views.SessionGoogleScopesView.as_view()),
    path("apps", apps.AppListCreateView.as_view()),
    path("apps/<id:sid>", apps.AppDetailView.as_view()),
    path("apps/<id:sid>/deploy", apps.AppDeployView.as_view()),
    path("apps/<id:sid>/versions", apps.AppVersionsView.as_view()),
    path("apps/<id:sid>/channels", apps.AppChannelsView.as_view()),
    path("apps/<id:sid>/channels/production/promote", apps.PromoteView.as_view()),
    path("apps/<id:sid>/channels/production/rollback", apps.RollbackView.as_view()),
    path("apps/<id:sid>/channels/history", apps.ChannelHistoryView.as_view()),
    path("apps/<id:sid>/preview-link", apps.PreviewLinkView.as_view()),
]
