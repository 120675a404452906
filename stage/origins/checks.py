"""Refuse to start (DEBUG off) when tenant origins could share cookies or a site with the platform."""

from django.conf import settings
from django.core.checks import Error, register


def _related(host: str, domain: str) -> bool:
    """Whether two host names are the same, or one is a parent of the other."""
    return host == domain or host.endswith(f".{domain}") or domain.endswith(f".{host}")


@register()
def apps_domain_apart_from_platform(app_configs=None, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    domain, errors = settings.STAGE_APPS_DOMAIN, []
    hint = "Serve apps from a registrable domain of their own (STAGE_APPS_DOMAIN), as githubusercontent.com is."
    for host in settings.PLATFORM_HOSTS:
        name = host.lower().lstrip(".")
        if host == "*":
            errors.append(
                Error(
                    "DJANGO_ALLOWED_HOSTS is '*': the platform's hosts must be named to keep tenant origins apart.",
                    id="stage.E001",
                )
            )
        elif _related(name, domain):
            errors.append(
                Error(
                    f"The apps domain {domain!r} is the platform's host {host!r}, a parent or a child of it: "
                    "tenant code there could set cookies the platform reads.",
                    hint=hint,
                    id="stage.E002",
                )
            )
    for name in ("SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_DOMAIN"):
        cookie_domain = (getattr(settings, name) or "").lower().lstrip(".")
        if cookie_domain and _related(cookie_domain, domain):
            errors.append(
                Error(f"{name} {cookie_domain!r} would send the platform's cookies to app origins.", id="stage.E003")
            )
    return errors
