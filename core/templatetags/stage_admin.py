from django import template

from core.admin.dashboard import dashboard

register = template.Library()


@register.inclusion_tag("admin/stage_dashboard.html")
def stage_dashboard():
    figures = dashboard()
    return {"figures": figures, "errors": sum(figure["failed"] for figure in figures)}
