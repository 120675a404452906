"""Shared bits of the render tests: a small React app that builds, and a way to push and render it."""

from tests.support.rest import data

GOOD_APP = [
    {"path": "/app/App.tsx", "content": "import Hello from './Hello';\nexport default () => <Hello/>;"},
    {"path": "/app/Hello.tsx", "content": "export default () => <h1>Hello from Stage</h1>;"},
]
BAD_IMPORT_APP = [
    {"path": "/app/App.tsx", "content": "import axios from 'axios';\nexport default () => <p>{String(axios)}</p>;"}
]


def trigger(api, session_id: str, capture, entry: str = "/app/App.tsx") -> dict:
    """Ask for a render and run what was enqueued on commit (the build, eagerly) before returning."""
    with capture(execute=True):
        response = api.post(f"/api/v1/stage/sessions/{session_id}/render", {"entry": entry}, format="json")
    return data(response)


def render_state(api, session_id: str) -> dict:
    return data(api.get(f"/api/v1/stage/sessions/{session_id}/status"))["render"]
