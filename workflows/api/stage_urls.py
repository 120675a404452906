from django.urls import path

from workflows.api import views

urlpatterns = [
    path("apps/<str:sid>/runs", views.AppRunsView.as_view()),
    path("runs/<str:run_id>", views.RunDetailView.as_view()),
]
