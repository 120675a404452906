from django.urls import path

from published_api.inference import api

urlpatterns = [
    path("chat", api.ChatView.as_view()),
    path("embed", api.EmbedView.as_view()),
    path("images", api.ImagesView.as_view()),
    path("usage", api.UsageView.as_view()),
    path("previews/<str:session_id>", api.PreviewAllowanceView.as_view()),
]
