"""`/`: what Stage is, and where to go from here (the admin, the API docs, the health of this server)."""

from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def landing(request):
    return render(request, "core/landing.html")
