"""Origins: where tenant content is served, so that it never runs as the platform.

The platform (admin, REST API, preview pages) has its own host names. Everything a tenant writes that a
browser could run (app UIs, backends answering on their own origin, preview frames) is served on a host under
`STAGE_APPS_DOMAIN`: one per app, one per version, one per preview channel, one per session preview.
"""
