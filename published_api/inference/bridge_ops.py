"""Bridge operations inference.chat / embed / image / usage, attributed to the calling process's session and app."""

from django.db import connections

from published_api.inference import calls
from published_api.inference.services import Who


def _op(fn):
    def handler(caller, args: dict):
        try:
            return fn(Who(session_id=caller.session_id, app_sid=caller.app_sid), args)
        finally:
            connections.close_all()  # this thread's own: bridge calls run on short-lived threads

    return handler


OPERATIONS = {
    "inference.chat": _op(calls.chat),
    "inference.embed": _op(calls.embed),
    "inference.image": _op(calls.image),
    "inference.usage": _op(calls.usage),
}
