from django.urls import path

from stage.preview import events, live, views

urlpatterns = [
    path("<id:session_id>", views.preview_page, name="preview"),
    path("<id:session_id>/frame", views.preview_frame, name="preview-frame"),
    path("<id:session_id>/state", views.preview_state, name="preview-state"),
    path("<id:session_id>/errors", views.preview_report_error, name="preview-errors"),
    path("<id:session_id>/live", live.preview_live, name="preview-live"),
    path("<id:session_id>/events", events.preview_events, name="preview-events"),
    path("<id:session_id>/artifact", views.preview_artifact, name="preview-artifact"),
]
