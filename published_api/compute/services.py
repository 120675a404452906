"""Run an app's compute function from outside its backend (the owners' REST API).

The functions are JavaScript bundled into the app's process, so the platform asks that process: one local
HTTP request on its serve socket carrying the process's own token (which no client knows; the gateway also
strips the header), answered with {ok, result} or {ok: false, message}.
"""

import json
import re

from published_api.bridge import Caller
from published_api.compiler import bundle_for
from published_api.compute.errors import ComputeError
from published_api.runtime import supervisor
from published_api.selectors import backend_target
from stage.errors import ValidationFailed
from stage.models import App, Channel

MODULE = re.compile(r"^[a-z][a-z0-9_]*$")
FUNCTION = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]{0,99}$")
KINDS = ("query", "mutation", "action")


def compute_call(*, app: App, kind: str, module: str, fn: str, args: dict, channel: str = Channel.Name.PRODUCTION):
    if kind not in KINDS:
        raise ValidationFailed(f"kind is one of {', '.join(KINDS)}")
    if not MODULE.match(module):
        raise ValidationFailed(f"Bad module name: {module!r} (snake_case)")
    if not FUNCTION.match(fn):
        raise ValidationFailed(f"Bad function name: {fn!r}")
    target = backend_target(app_sid=app.sid, channel=channel)
    process = supervisor.process_for(
        slot=(target.app_sid, channel),
        key=target.cache_key,
        caller=Caller(app_sid=target.app_sid, session_id=target.session_id),
        bundle=lambda: bundle_for(version=target.version),
    )
    body = json.dumps({"kind": kind, "module": module, "fn": fn, "args": args}).encode()
    headers = [("content-type", "application/json"), ("x-stage-compute-token", process.token)]
    reply = process.forward(method="POST", path="/__stage/compute", headers=headers, body=body)
    answer = json.loads(reply.body)
    if not answer.get("ok"):
        raise ComputeError(answer.get("message") or None)
    return answer.get("result")
