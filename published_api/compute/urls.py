from django.urls import path

from published_api.compute.api import urlpatterns_kinds

urlpatterns = [path(f"apps/<id:sid>/compute/{kind}", view) for kind, view in urlpatterns_kinds.items()]
