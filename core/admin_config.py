"""django.contrib.admin with Stage's default site (core.admin_site.StageAdminSite), which asks staff who have an
authenticator for its code. Every `admin.register` and `admin.site` in the project reaches that site. Also django-otp's
TOTP devices under a name staff can read.

This module is named in INSTALLED_APPS, so it is imported before any model exists: it imports none. The site
lives outside the core.admin package, whose import registers model admins and so would build the site twice.
"""

from django.contrib.admin.apps import AdminConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class StageAdminConfig(AdminConfig):
    default_site = "core.admin_site.StageAdminSite"


class TwoFactorConfig(TOTPConfig):
    """django_otp.plugins.otp_totp as it is, titled for the admin's index (its label stays otp_totp)."""

    verbose_name = "Two-factor sign-in"
