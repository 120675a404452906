from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from core.readiness import readiness


@require_GET
def health(request):
    """{"status": "ok"} once the database answers a query; 503 while it does not (load balancers take us out)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503, headers={"Retry-After": "5"})
    return JsonResponse({"status": "ok"})


@require_GET
def health_live(request):
    """The process answers: nothing else is asked (for a liveness probe: restart it when this fails)."""
    return JsonResponse({"status": "ok"})


@require_GET
def health_ready(request):
    """Every part this process needs, named: the database, the broker, a live worker, the backend sandbox. 503,
    naming what is wrong, while any is not (for a readiness probe: send it no traffic until it is)."""
    ready, parts = readiness()
    status, code = ("ok", 200) if ready else ("unavailable", 503)
    headers = None if ready else {"Retry-After": "5"}
    return JsonResponse({"status": status, "checks": parts}, status=code, headers=headers)
