"""django.contrib.admin with Stage's default site (core.admin_site.StageAdminSite), which asks staff who have an
authenticator for its code. Every `admin.register` and `admin.site` in the project reaches that site.

This module is named in INSTALLED_APPS, so it is imported before any model exists: it imports none. The site
lives outside the core.admin package, whose import registers model admins and so would build the site twice.
"""

from django.contrib.admin.apps import AdminConfig


class StageAdminConfig(AdminConfig):
    default_site = "core.admin_site.StageAdminSite"
