"""Run an app's compute function from outside its backend (the owners' REST API).

The functions are JavaScript bundled into the app's process, so the platform asks that process: one local
HTTP request on its serve socket marked with the `x-stage-compute` header (which the gateway strips from every
client's request, so only the platform sends it), answered with {ok, result} or {ok: false, message}.
A version with compute modules and no backend entrypoint gets a compute-only bundle (a stub entrypoint that
answers 404), kept per version like backend bundles.
"""

import json
import re

from core.errors import NotFound, ValidationFailed
from published_api.bridge import Caller
from published_api.compiler import bundle_for
from published_api.compute.errors import ComputeError
from published_api.forwarding import COMPUTE_HEADER
from published_api.runtimes import backend_runtime
from published_api.selectors import backend_target
from stage.models import App, Channel
from stage.selectors.published_apps import channel_version

MODULE = re.compile(r"^[a-z][a-z0-9_]*$")
FUNCTION = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]{0,99}$")
KINDS = ("query", "mutation", "action")


def _process(app: App, channel: str):
    version = channel_version(app=app, channel=channel)
    if version.backend_entrypoint:
        target = backend_target(app_sid=app.sid, channel=channel)
        key, caller = target.cache_key, Caller(app_sid=target.app_sid, session_id=target.session_id)
        bundle = lambda: bundle_for(version=target.version)  # noqa: E731
    elif version.compute_modules:
        key = (app.sid, app.session.public_id, app.last_deployed_at, app.updated_at, version.sid, "compute")
        caller = Caller(app_sid=app.sid, session_id=app.session.public_id)
        bundle = lambda: bundle_for(version=version)  # noqa: E731
    else:
        raise NotFound(f"App {app.sid} has no compute modules.")
    return backend_runtime().process_for(slot=(app.sid, channel), key=key, caller=caller, bundle=bundle)


def compute_call(*, app: App, kind: str, module: str, fn: str, args: dict, channel: str = Channel.Name.PRODUCTION):
    if kind not in KINDS:
        raise ValidationFailed(f"kind is one of {', '.join(KINDS)}")
    if not MODULE.match(module):
        raise ValidationFailed(f"Bad module name: {module!r} (snake_case)")
    if not FUNCTION.match(fn):
        raise ValidationFailed(f"Bad function name: {fn!r}")
    if app.status != App.Status.ACTIVE:
        raise NotFound("App not found")
    process = _process(app, channel)
    body = json.dumps({"kind": kind, "module": module, "fn": fn, "args": args}).encode()
    headers = [("content-type", "application/json"), (COMPUTE_HEADER, "1")]
    reply = process.forward(method="POST", path="/__stage/compute", headers=headers, body=body)
    answer = json.loads(reply.body)
    if not answer.get("ok"):
        raise ComputeError(answer.get("message") or None)
    return answer.get("result")
