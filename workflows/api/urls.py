from django.urls import path

from workflows.api import views

urlpatterns = [
    path("run/<id:app_sid>/<str:workflow>", views.RunWorkflowView.as_view()),
    path("communication/channels", views.ChannelsView.as_view()),
    path("communication/registrations", views.RegistrationsView.as_view()),
    path("communication/messages", views.MessagesView.as_view()),
]
