"""Refuse to start (DEBUG off) when tenant origins could share cookies or a site with the platform.

Two names are the same *site* when they share a registrable domain (the name one level below a public suffix,
by the Public Suffix List): `stage.example.com` and `apps.example.com` are one site, and a page on either can
set cookies for both and make same-site requests. App origins must be a site of their own.
"""

import functools

import tldextract
from django.conf import settings
from django.core.checks import Error, register

HINT = (
    "Serve apps from a registrable domain of their own (STAGE_APPS_DOMAIN), as githubusercontent.com is; better "
    "still, one on the Public Suffix List, so that apps cannot set cookies for each other either."
)


@functools.cache
def _extract() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def site(host: str) -> str:
    """The registrable domain of a host name; the name itself for names under no known suffix (localhost, IPs)."""
    parts = _extract()(host.lower().strip("."))
    return parts.top_domain_under_public_suffix or (parts.domain if not parts.suffix else host.lower())


def _covers(cookie_domain: str, host: str) -> bool:
    return host == cookie_domain or host.endswith(f".{cookie_domain}")


@register()
def apps_domain_apart_from_platform(app_configs=None, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    domain, errors = settings.STAGE_APPS_DOMAIN, []
    app_site = site(f"app-probe.{domain}")
    for host in settings.PLATFORM_HOSTS:
        if host == "*":
            errors.append(
                Error(
                    "DJANGO_ALLOWED_HOSTS is '*': the platform's hosts must be named to keep tenant origins apart.",
                    id="stage.E001",
                )
            )
        elif site(host.lstrip(".")) == app_site:
            errors.append(
                Error(
                    f"The apps domain {domain!r} is on the same site ({app_site}) as the platform's host {host!r}: "
                    "tenant code there could set cookies the platform reads and make same-site requests.",
                    hint=HINT,
                    id="stage.E002",
                )
            )
    for name in ("SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_DOMAIN"):
        cookie_domain = (getattr(settings, name) or "").lower().lstrip(".")
        if cookie_domain and _covers(cookie_domain, f"app-probe.{domain}"):
            errors.append(
                Error(f"{name} {cookie_domain!r} would send the platform's cookies to app origins.", id="stage.E003")
            )
    return errors
