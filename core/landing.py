"""`/`: what Stage is, and where to go from here (the admin, the API docs, the health of this server)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
def landing(request):
    return render(request, "core/landing.html")


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask every page's host for one: nothing to show, and no 404 in their consoles."""
    return HttpResponse(status=204)
