from django.urls import path

from stage.api import apps
from stage.api import sessions as views

urlpatterns = [
    path("sessions", views.SessionListCreateView.as_view()),
    path("sessions/<str:session_id>/push", views.SessionPushView.as_view()),
    path("sessions/<str:session_id>/files", views.SessionFilesView.as_view()),
    path("sessions/<str:session_id>/files/<path:path>", views.SessionFileView.as_view()),
    path("sessions/<str:session_id>/history", views.SessionHistoryView.as_view()),
    path("sessions/<str:session_id>/snapshots", views.SessionSnapshotsView.as_view()),
    path("sessions/<str:session_id>/snapshots/<str:snapshot_id>/restore", views.SnapshotRestoreView.as_view()),
    path("sessions/<str:session_id>/render", views.SessionRenderView.as_view()),
    path("sessions/<str:session_id>/status", views.SessionStatusView.as_view()),
    path("sessions/<str:session_id>/google-scopes", views.SessionGoogleScopesView.as_view()),
    path("apps", apps.AppListCreateView.as_view()),
    path("apps/<str:sid>", apps.AppDetailView.as_view()),
    path("apps/<str:sid>/deploy", apps.AppDeployView.as_view()),
    path("apps/<str:sid>/versions", apps.AppVersionsView.as_view()),
    path("apps/<str:sid>/channels", apps.AppChannelsView.as_view()),
    path("apps/<str:sid>/channels/production/promote", apps.PromoteView.as_view()),
    path("apps/<str:sid>/channels/production/rollback", apps.RollbackView.as_view()),
    path("apps/<str:sid>/channels/history", apps.ChannelHistoryView.as_view()),
]
