"""Promote, roll back, archive and unarchive from the admin, each through a page that names what changes.

The riskiest things staff do to an app are these four, so none of them happens on one click: the app's page,
a version's page and the apps list's bulk actions all lead to a confirmation page that names, for every app,
the version production serves now and the one it will serve, and asks why. The answer is kept with the move in
the channel history (ChannelMove.note).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse

from core.errors import StageError
from stage.models import App, AppVersion, Channel
from stage.services.published_apps import (
    app_archive,
    app_unarchive,
    channel_promote,
    channel_rollback,
    rollback_target,
)


@dataclass(frozen=True)
class Plan:
    """What one move would do to one app: production from one version to another, or a change of status."""

    app: App
    from_version: AppVersion | None
    to_version: AppVersion | None
    problem: str = ""

    @property
    def summary(self) -> str:
        def name(version):
            return f"v{version.number}" if version else "nothing"

        if self.problem:
            return self.problem
        if self.from_version == self.to_version:
            return f"production stays on {name(self.to_version)}"
        return f"production {name(self.from_version)} → {name(self.to_version)}"


def _production(app: App) -> AppVersion | None:
    channel = Channel.objects.filter(app=app, name=Channel.Name.PRODUCTION).select_related("version").first()
    return channel.version if channel else None


def _preview(app: App) -> AppVersion | None:
    channel = Channel.objects.filter(app=app, name=Channel.Name.PREVIEW).select_related("version").first()
    return channel.version if channel else None


@dataclass(frozen=True)
class Move:
    name: str
    title: str  # "Promote to production"
    done: str  # "Promoted"
    chooses_version: bool
    default_target: Callable[[App], AppVersion | None]
    run: Callable[..., object]  # (app=, actor=, version_sid=, note=)
    status_needed: str | None = App.Status.ACTIVE
    no_target: str = "no version to move production to"

    def plan(self, app: App, version: AppVersion | None = None) -> Plan:
        current = _production(app)
        target = version or self.default_target(app)
        if self.status_needed and app.status != self.status_needed:
            return Plan(app, current, current, problem=f"{app.sid} is {app.status}: nothing to do")
        if self.chooses_version and target is None:
            return Plan(app, current, None, problem=self.no_target)
        return Plan(app, current, target)


def _promote(*, app, actor, version_sid, note):
    return channel_promote(app=app, actor=actor, version_sid=version_sid, note=note)


def _rollback(*, app, actor, version_sid, note):
    return channel_rollback(app=app, actor=actor, version_sid=version_sid, note=note)


def _archive(*, app, actor, version_sid, note):
    return app_archive(app=app, actor=actor, note=note)


def _unarchive(*, app, actor, version_sid, note):
    return app_unarchive(app=app, actor=actor, note=note)


MOVES = {
    move.name: move
    for move in [
        Move("promote", "Promote to production", "Promoted", True, _preview, _promote),
        Move(
            "rollback",
            "Roll back production",
            "Rolled back",
            True,
            lambda app: rollback_target(app=app),
            _rollback,
            no_target="production has no earlier version to roll back to",
        ),
        Move("archive", "Archive", "Archived", False, _production, _archive),
        Move("unarchive", "Unarchive", "Unarchived", False, _production, _unarchive, App.Status.ARCHIVED),
    ]
}


def _version_label(version: AppVersion) -> str:
    return f"v{version.number} ({version.sid}), made {version.created_at:%Y-%m-%d %H:%M}"


class MoveForm(forms.Form):
    note = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        help_text="Kept with the move in the channel history.",
    )
    version = forms.ModelChoiceField(
        queryset=AppVersion.objects.none(),
        required=False,
        to_field_name="sid",
        label="Version",
        help_text="The version production will serve.",
    )

    def __init__(self, *args, app: App | None = None, move: Move, **kwargs):
        super().__init__(*args, **kwargs)
        if app is None or not move.chooses_version:
            del self.fields["version"]
            return
        versions = AppVersion.objects.filter(app=app).order_by("-number")
        self.fields["version"].queryset = versions
        self.fields["version"].label_from_instance = _version_label


def _carry(plans: list[Plan], move: Move, request, note: str) -> int:
    """Run the move on every planned app; report each failure by app and return how many were done."""
    done = 0
    for plan in plans:
        if plan.problem:
            continue
        sid = plan.to_version.sid if move.chooses_version and plan.to_version else None
        try:
            move.run(app=plan.app, actor=request.user, version_sid=sid, note=note)
        except StageError as exc:
            messages.error(request, f"For {plan.app.sid}: {exc.message}")
            continue
        messages.success(request, f"{move.done} {plan.app.sid}: {plan.summary}.")
        done += 1
    return done


def _page(model_admin, request, move: Move, plans: list[Plan], form: MoveForm, *, bulk: bool):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"{move.title}: are you sure?",
        "move": move,
        "plans": plans,
        "form": form,
        "bulk": bulk,
        "selected": [plan.app.pk for plan in plans],
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "runnable": any(not plan.problem for plan in plans),
    }
    return TemplateResponse(request, "admin/stage/app/confirm_move.html", context)


def confirm_one(model_admin, request, app: App, move: Move):
    """The app's own page for a move. GET asks; POST with a reason does it. Returns a response, or None when
    done (the caller goes back to the app's page)."""
    if request.method == "POST":
        form = MoveForm(request.POST, app=app, move=move)
        if form.is_valid():
            plan = move.plan(app, form.cleaned_data.get("version"))
            if plan.problem:
                messages.error(request, plan.problem)
                return None
            _carry([plan], move, request, form.cleaned_data["note"])
            return None
    else:
        chosen = request.GET.get("version") or getattr(move.default_target(app), "sid", None)
        form = MoveForm(app=app, move=move, initial={"version": chosen})
    chosen = form["version"].value() if "version" in form.fields else None
    version = AppVersion.objects.filter(app=app, sid=chosen).first() if chosen else None
    return _page(model_admin, request, move, [move.plan(app, version)], form, bulk=False)


def confirm_bulk(model_admin, request, queryset, move: Move):
    """The bulk action's page: every selected app with what the move would do to it. Returns None when done."""
    plans = [move.plan(app) for app in queryset.order_by("sid")]
    if request.POST.get("confirmed"):
        form = MoveForm(request.POST, move=move)
        if form.is_valid():
            _carry(plans, move, request, form.cleaned_data["note"])
            return None
    else:
        form = MoveForm(move=move)
    return _page(model_admin, request, move, plans, form, bulk=True)
