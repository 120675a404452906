from django.urls import path

from workflows.api import views

urlpatterns = [
    path("apps/<id:sid>/runs", views.AppRunsView.as_view()),
    path("runs/<id:run_id>", views.RunDetailView.as_view()),
    path("apps/<id:sid>/google-credentials", views.GoogleCredentialsView.as_view()),
]
