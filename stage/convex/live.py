"""What a session keeps for its app, from the agent's side: the key-value store, the live data and the messages
its app reads through the browser @stage/* modules (a change here reaches an open preview within a second), the
runtime error recorded on its render, and the session itself."""

from rest_framework import serializers

from core.api.serializers import StrictCharField
from stage import presenters
from stage.convex.registry import convex_function
from stage.convex.sessions import SessionArgs, owned_session
from stage.models import SessionValue
from stage.renders.services import render_clear_error
from stage.selectors.live import live_messages, message_output
from stage.services import live

AGENT = "agent"


class KvKeyArgs(SessionArgs):
    key = StrictCharField(max_length=live.MAX_KEY_LENGTH)


class KvSetArgs(KvKeyArgs):
    value = serializers.JSONField(allow_null=True)


class LiveDataArgs(SessionArgs):
    data = serializers.JSONField(allow_null=True)


class SendMessageArgs(SessionArgs):
    text = StrictCharField(trim_whitespace=False)
    sender = StrictCharField(required=False, max_length=live.MAX_SENDER_LENGTH)


@convex_function("stage:kvGet", "query", KvKeyArgs)
def kv_get(user, sessionId, key):
    session = owned_session(user, sessionId)
    return SessionValue.objects.filter(session=session, key=key).values_list("value", flat=True).first()


@convex_function("stage:kvSet", "mutation", KvSetArgs)
def kv_set(user, sessionId, key, value):
    live.kv_set(session=owned_session(user, sessionId), key=key, value=value)
    return value


@convex_function("stage:getLiveData", "query", SessionArgs)
def get_live_data(user, sessionId):
    return owned_session(user, sessionId).live_data


@convex_function("stage:setLiveData", "mutation", LiveDataArgs)
def set_live_data(user, sessionId, data):
    live.live_data_set(session=owned_session(user, sessionId), data=data)
    return data


@convex_function("stage:getMessages", "query", SessionArgs)
def get_messages(user, sessionId):
    return live_messages(session=owned_session(user, sessionId))


@convex_function("stage:sendMessage", "mutation", SendMessageArgs)
def send_message(user, sessionId, text, sender=AGENT):
    return message_output(live.message_send(session=owned_session(user, sessionId), text=text, sender=sender))


@convex_function("stage:clearMessages", "mutation", SessionArgs)
def clear_messages(user, sessionId):
    live.messages_clear(session=owned_session(user, sessionId))
    return None


@convex_function("stage:clearError", "mutation", SessionArgs)
def clear_error(user, sessionId):
    return presenters.RenderStateOutput.of(render_clear_error(session=owned_session(user, sessionId)))


@convex_function("stage:getSession", "query", SessionArgs)
def get_session(user, sessionId):
    return presenters.session_detail(owned_session(user, sessionId))
