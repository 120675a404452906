"""The shared libraries: built once per builder version, apps' bundles read React, Radix, recharts and the
shadcn/ui modules from them, and every origin a frame is served from serves their script for browsers to keep."""

import gzip
from datetime import timedelta

import pytest
from django.utils import timezone

from stage.models import Render, RenderArtifact, SharedLibrary
from stage.renders.retention import renders_prune
from stage.renders.shared import builder_fingerprint, shared_library
from tests.support.renders import render_state, trigger
from tests.support.rest import api_publish, new_session
from tests.support.waiting import wait_for
from tests.support.worker import WorkerProcess

DASHBOARD = """import { useState } from "react";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Tabs, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { LineChart, Line } from "recharts";
import { Activity } from "lucide-react";
export default function App() {
  const [n] = useState(3);
  return <Card><CardHeader><CardTitle><Activity /> Visits {n}</CardTitle></CardHeader>
    <CardContent><Tabs><TabsList><TabsTrigger value="a">A</TabsTrigger></TabsList></Tabs>
    <LineChart width={200} height={80} data={[{ v: 1 }, { v: 2 }]}><Line dataKey="v" /></LineChart>
    </CardContent></Card>;
}
"""


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def rendered_artifact(api, capture, source: str = DASHBOARD) -> tuple[str, RenderArtifact]:
    session_id = new_session(api, {"/app/App.tsx": source})
    trigger(api, session_id, capture)
    assert render_state(api, session_id)["status"] == "ready"
    return session_id, RenderArtifact.objects.latest("pk")


def test_an_apps_bundle_reads_react_radix_recharts_and_the_components_from_the_shared_libraries(api, capture):
    _, artifact = rendered_artifact(api, capture)

    library = shared_library()
    assert artifact.shared == library.fingerprint == builder_fingerprint()
    assert len(artifact.js) < 20_000, "only the app's own code and its icon, not React, Radix or recharts"
    assert "__stageShared" in artifact.js
    assert "react.dev/errors" not in artifact.js  # React's own code is not in it
    assert '__stageShared["react-dom/client"]' in artifact.js and '__stageShared["@/components/ui/card"]' in artifact.js
    for module in ("react", "react-dom/client", "recharts", "@/components/ui/card", "@/components/ui/tabs"):
        assert module in library.exports, module
    assert {"Card", "CardHeader", "CardTitle"} <= set(library.exports["@/components/ui/card"])
    assert {"useState", "default"} <= set(library.exports["react"])
    assert SharedLibrary.objects.get(fingerprint=library.fingerprint).size > 500_000  # all of them, once


def test_a_second_app_reuses_the_shared_libraries_built_for_the_first(api, capture):
    rendered_artifact(api, capture)
    rendered_artifact(api, capture, DASHBOARD.replace("Visits", "Sales"))

    assert SharedLibrary.objects.count() == 1
    assert RenderArtifact.objects.values("shared").distinct().count() == 1


def test_every_origin_a_frame_comes_from_serves_the_script_for_browsers_to_keep(api, capture, client):
    session_id, artifact = rendered_artifact(api, capture)
    app = api_publish(api, {"/app/App.tsx": DASHBOARD})
    path = f"/__stage/shared/{artifact.shared}.js"
    hosts = {
        "the platform (the preview page)": "testserver",
        "a session's origin (its frame, opened alone)": f"s-{session_id.replace('_', '-')}.localhost",
        "an app's origin (its UI shell)": f"{app['sid'].replace('_', '-')}.localhost",
    }

    for where, host in hosts.items():
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 200, where
        assert response["Content-Type"] == "text/javascript; charset=utf-8"
        assert response["Cache-Control"] == "public, max-age=31536000, immutable", where
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response.content.startswith(b"(()=>{"), where
    compressed = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert compressed["Content-Encoding"] == "gzip" and "Accept-Encoding" in compressed["Vary"]
    assert gzip.decompress(compressed.content) == response.content
    assert len(compressed.content) < len(response.content) / 2
    frame = client.get(f"/s/{session_id}/frame").content.decode()
    assert f'var fingerprint = "{artifact.shared}"' in frame


@pytest.mark.parametrize("name", ["0" * 64, "z" * 64, "abc", "../" + "0" * 61])
def test_shared_libraries_never_built_are_not_found(client, db, name):
    assert client.get(f"/__stage/shared/{name}.js").status_code == 404


def test_pruning_drops_the_shared_libraries_of_an_earlier_builder_that_nothing_runs_on(api, capture):
    _, artifact = rendered_artifact(api, capture)
    hour_ago = timezone.now() - timedelta(hours=1)
    unused = SharedLibrary.objects.create(fingerprint="a" * 64, js="/* old */", exports={}, size=9)
    used = SharedLibrary.objects.create(fingerprint="b" * 64, js="/* older */", exports={}, size=11)
    RenderArtifact.objects.create(content_hash="c" * 64, js="", size=0, shared=used.fingerprint)
    SharedLibrary.objects.update(created_at=hour_ago)

    deleted = renders_prune(keep=5)

    assert deleted["sharedLibraries"] == 1
    assert set(SharedLibrary.objects.values_list("fingerprint", flat=True)) == {artifact.shared, used.fingerprint}
    assert not SharedLibrary.objects.filter(pk=unused.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_worker_starting_on_a_new_builder_makes_the_shared_libraries_before_any_render(tmp_path):
    SharedLibrary.objects.all().delete()
    worker = WorkerProcess(tmp_path / "worker.log")
    worker.start()
    try:
        wait_for(lambda: SharedLibrary.objects.filter(fingerprint=builder_fingerprint()).exists(), 60)
    finally:
        worker.stop()
    assert not Render.objects.exists()


def test_a_browser_that_refuses_gzip_gets_the_plain_script(api, capture, client):
    _, artifact = rendered_artifact(api, capture)
    path = f"/__stage/shared/{artifact.shared}.js"

    for header in ("gzip;q=0", "identity", "br, deflate", "x-gzip-ish"):
        assert "Content-Encoding" not in client.get(path, HTTP_ACCEPT_ENCODING=header), header
    assert client.get(path, HTTP_ACCEPT_ENCODING="br;q=1.0, gzip;q=0.5")["Content-Encoding"] == "gzip"
