"""At start (`manage.py check`, runserver, migrate, `make serve`): say loudly what the backend sandbox lacks here."""

from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from published_api.sandbox.probe import sandbox_support


@register()
def backend_sandbox_complete(app_configs=None, **kwargs):
    try:
        missing = sandbox_support().missing
    except ImproperlyConfigured as exc:  # STAGE_REQUIRE_SANDBOX=1 and something is missing
        return [Error(str(exc), id="published_api.E001")]
    return [
        Warning(
            f"The backend sandbox is incomplete: {why}.",
            hint="Install bubblewrap, run Stage as root or with delegated cgroups, or set STAGE_REQUIRE_SANDBOX=1 "
            "to refuse to run backends on a thinner sandbox.",
            id="published_api.W001",
        )
        for why in missing
    ]
