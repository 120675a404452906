"""Rows for tests about what reads them (lists, admin pages, presenters, ownership); tests about how rows are
made go through the services or the API instead."""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from stage.models import App, AppVersion, Channel, Session
from workflows.models import Run, StepRun


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"session-{n}")


class AppFactory(factory.django.DjangoModelFactory):
    """An app row over a session of its author's, with no version: for tests of what reads apps, not of
    publishing (publish through tests.support.publishing or the API for that)."""

    class Meta:
        model = App

    session = factory.SubFactory(SessionFactory)
    author = factory.SelfAttribute("session.owner")
    name = factory.Sequence(lambda n: f"app-{n}")


class AppVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppVersion

    app = factory.SubFactory(AppFactory)
    number = factory.Sequence(lambda n: n + 1)
    created_by = factory.SelfAttribute("app.author")


class ChannelFactory(factory.django.DjangoModelFactory):
    """A channel pointing at a version of its app (production unless named otherwise)."""

    class Meta:
        model = Channel
        django_get_or_create = ["app", "name"]

    version = factory.SubFactory(AppVersionFactory)
    app = factory.SelfAttribute("version.app")
    name = Channel.Name.PRODUCTION


class RunFactory(factory.django.DjangoModelFactory):
    """A finished run of a workflow on an app's version, called by the app's author."""

    class Meta:
        model = Run

    version = factory.SubFactory(AppVersionFactory)
    app = factory.SelfAttribute("version.app")
    caller = factory.SelfAttribute("app.author")
    workflow = "hello"
    status = Run.Status.SUCCEEDED
    response = factory.LazyFunction(lambda: {"status": 200, "headers": {}, "body": "hi"})
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)
    duration_ms = 1.5


class StepRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StepRun

    run = factory.SubFactory(RunFactory)
    index = factory.Sequence(lambda n: n)
    block = "response"
    status = StepRun.Status.SUCCEEDED
    started_at = factory.LazyFunction(timezone.now)
    duration_ms = 0.5
