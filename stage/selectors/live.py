"""What a session keeps for its app, as its preview and the Convex endpoint read it."""

from stage.models import Session, SessionMessage


def message_output(message: SessionMessage) -> dict:
    return {
        "id": message.pk,
        "text": message.text,
        "sender": message.sender,
        "createdAt": int(message.created_at.timestamp() * 1000),
    }


def live_revision(*, session: Session) -> int:
    return Session.objects.values_list("live_revision", flat=True).get(pk=session.pk)


def live_messages(*, session: Session) -> list[dict]:
    return [message_output(message) for message in session.messages.order_by("id")]


def live_snapshot(*, session: Session) -> dict:
    """The revision, the key-value store, the live data and the messages, read together."""
    fresh = Session.objects.values("live_revision", "live_data").get(pk=session.pk)
    return {
        "revision": fresh["live_revision"],
        "kv": dict(session.values.values_list("key", "value")),
        "liveData": fresh["live_data"],
        "messages": live_messages(session=session),
    }
