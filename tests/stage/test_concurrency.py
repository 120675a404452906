"""Versions stay gap-free and unique under real concurrent writers on PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connection

from stage.models import CurrentFile, FileVersion, Render
from stage.renders.services import render_trigger
from stage.services.files import file_write, files_push
from tests.support.factories import SessionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 50


def run_concurrently(count: int, work):
    """Run work(i) in `count` threads released at the same instant, each on its own database connection."""
    barrier = Barrier(count)

    def task(i):
        try:
            barrier.wait()
            return work(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(task, range(count)))


def test_fifty_concurrent_writers_to_one_path_get_versions_1_to_50():
    session = SessionFactory()
    results = run_concurrently(
        WRITERS, lambda i: file_write(session=session, path="/app/App.tsx", content=f"w{i}").version
    )
    assert sorted(results) == list(range(1, WRITERS + 1))
    stored = FileVersion.objects.filter(session=session, path="/app/App.tsx").values_list("version", flat=True)
    assert sorted(stored) == list(range(1, WRITERS + 1))
    current = CurrentFile.objects.get(session=session, path="/app/App.tsx")
    assert current.version == WRITERS
    assert current.file_version.version == WRITERS


def test_concurrent_pushes_of_overlapping_files_stay_consistent():
    session = SessionFactory()
    run_concurrently(20, lambda i: files_push(session=session, files=[("/a.ts", f"a{i}"), ("/b.ts", f"b{i}")]))
    for path in ("/a.ts", "/b.ts"):
        versions = sorted(FileVersion.objects.filter(session=session, path=path).values_list("version", flat=True))
        assert versions == list(range(1, 21))
        assert CurrentFile.objects.get(session=session, path=path).version == 20


def test_concurrent_render_triggers_get_distinct_increasing_versions():
    session = SessionFactory()
    results = run_concurrently(30, lambda i: render_trigger(session=session).version)
    assert sorted(results) == list(range(1, 31))
    assert sorted(Render.objects.filter(session=session).values_list("version", flat=True)) == list(range(1, 31))
