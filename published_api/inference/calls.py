"""One entry point per operation for both the bridge and REST: validate, then call the service."""

from published_api.inference import serializers as s
from published_api.inference.selectors import usage_summary
from published_api.inference.services import Who, inference_chat, inference_embed, inference_image


def chat(who: Who, data) -> dict:
    d = s.checked(s.ChatInput, data)
    return inference_chat(
        who=who,
        messages=[dict(m) for m in d["messages"]],
        model=d.get("model"),
        provider=d.get("provider"),
        max_tokens=d.get("maxTokens"),
        temperature=d.get("temperature"),
    )


def embed(who: Who, data) -> dict:
    d = s.checked(s.EmbedInput, data)
    return inference_embed(who=who, input=d["input"], model=d.get("model"), provider=d.get("provider"))


def image(who: Who, data) -> dict:
    d = s.checked(s.ImageInput, data)
    return inference_image(
        who=who, prompt=d["prompt"], model=d.get("model"), provider=d.get("provider"), size=d.get("size")
    )


def usage(who: Who, data) -> dict:
    d = s.checked(s.UsageInput, data)
    return usage_summary(
        session_id=who.session_id, provider=d.get("provider"), since=d.get("since"), until=d.get("until")
    )
