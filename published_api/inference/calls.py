"""One entry point per operation for both the bridge and REST: validate, call the service, shape the answer."""

from published_api.inference import serializers as s
from published_api.inference.providers import provider_check
from published_api.inference.selectors import usage_summary
from published_api.inference.services import Who, inference_chat, inference_embed, inference_image


def chat(who: Who, data) -> dict:
    d = s.checked(s.ChatInput, data)
    answer = inference_chat(
        who=who,
        messages=[dict(m) for m in d["messages"]],
        model=d.get("model"),
        provider=d.get("provider"),
        max_tokens=d.get("maxTokens"),
        temperature=d.get("temperature"),
    )
    return s.ChatOutput.of(answer)


def embed(who: Who, data) -> dict:
    d = s.checked(s.EmbedInput, data)
    return s.EmbedOutput.of(
        inference_embed(who=who, input=d["input"], model=d.get("model"), provider=d.get("provider"))
    )


def image(who: Who, data) -> dict:
    d = s.checked(s.ImageInput, data)
    answer = inference_image(
        who=who, prompt=d["prompt"], model=d.get("model"), provider=d.get("provider"), size=d.get("size")
    )
    return s.ImagesOutput.of(answer)


def usage(who: Who, data) -> dict:
    d = s.checked(s.UsageInput, data)
    if d.get("provider"):
        provider_check(name=d["provider"])  # an unknown provider is an error, as for chat, not zero usage
    summary = usage_summary(
        session_id=who.session_id, provider=d.get("provider"), since=d.get("since"), until=d.get("until")
    )
    return s.UsageOutput.of(summary)
