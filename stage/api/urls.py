from django.urls import path

from stage.api import published_apps
from stage.api import sessions as views

urlpatterns = [
    path("me", views.MeView.as_view()),
    path("sessions", views.SessionListCreateView.as_view()),
    path("sessions/<id:session_id>", views.SessionDetailView.as_view()),
    path("sessions/<id:session_id>/push", views.SessionPushView.as_view()),
    path("sessions/<id:session_id>/files", views.SessionFilesView.as_view()),
    path("sessions/<id:session_id>/files/<path:path>", views.SessionFileView.as_view()),
    path("sessions/<id:session_id>/history", views.SessionHistoryView.as_view()),
    path("sessions/<id:session_id>/snapshots", views.SessionSnapshotsView.as_view()),
    path("sessions/<id:session_id>/snapshots/<id:snapshot_id>", views.SnapshotDetailView.as_view()),
    path("sessions/<id:session_id>/snapshots/<id:snapshot_id>/restore", views.SnapshotRestoreView.as_view()),
    path("sessions/<id:session_id>/render", views.SessionRenderView.as_view()),
    path("sessions/<id:session_id>/status", views.SessionStatusView.as_view()),
    path("sessions/<id:session_id>/google-scopes", views.SessionGoogleScopesView.as_view()),
    path("apps", published_apps.AppListCreateView.as_view()),
    path("apps/<id:sid>", published_apps.AppDetailView.as_view()),
    path("apps/<id:sid>/deploy", published_apps.AppDeployView.as_view()),
    path("apps/<id:sid>/versions", published_apps.AppVersionsView.as_view()),
    path("apps/<id:sid>/channels", published_apps.AppChannelsView.as_view()),
    path("apps/<id:sid>/channels/production/promote", published_apps.PromoteView.as_view()),
    path("apps/<id:sid>/channels/production/rollback", published_apps.RollbackView.as_view()),
    path("apps/<id:sid>/channels/history", published_apps.ChannelHistoryView.as_view()),
    path("apps/<id:sid>/preview-link", published_apps.PreviewLinkView.as_view()),
]
