"""REST: POST /api/v1/inference/{chat,embed,images}, GET /api/v1/inference/usage, scoped by X-Stage-Session;
GET/PUT/DELETE /api/v1/inference/previews/<sessionId>, whether that session's preview may call inference.

The session must be the caller's own (another owner's, or an unknown one, is 404); usage is recorded against it.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.envelope import error_response
from core.errors import ValidationFailed
from core.ids import PUBLIC_ID_PATTERN
from published_api.inference import calls
from published_api.inference import serializers as s
from published_api.inference.models import PreviewAllowance
from published_api.inference.previews import preview_allowance_set
from published_api.inference.services import Who
from stage import selectors

SESSION_HEADER = OpenApiParameter(
    "X-Stage-Session",
    {"type": "string", "pattern": f"^{PUBLIC_ID_PATTERN}$"},
    location=OpenApiParameter.HEADER,
    required=True,
    description="One of your session ids.",
)
PROVIDER_ERRORS = {
    400: error_response(
        "Invalid input (VALIDATION_ERROR), or a model the provider does not allow (MODEL_NOT_ALLOWED)."
    ),
    404: error_response("No such session for this key, or no such provider (NOT_FOUND)."),
    429: error_response("Rate limited, by Stage or by the provider (RATE_LIMITED)."),
    502: error_response("The provider failed (PROVIDER_ERROR) or refused its API key (PROVIDER_AUTH_FAILED)."),
    503: error_response("No inference provider is configured (INFERENCE_NOT_CONFIGURED)."),
}


def documented_call(*, request, response, summary: str):
    """The schema of one inference operation: its input, its answer and the provider's errors."""
    return extend_schema_view(
        post=extend_schema(
            request=request,
            responses={200: response, **PROVIDER_ERRORS},
            parameters=[SESSION_HEADER],
            summary=summary,
        )
    )


class InferenceView(APIView):
    operation = None

    def who(self) -> Who:
        public_id = self.request.headers.get("x-stage-session")
        if not public_id:
            raise ValidationFailed("The X-Stage-Session header is required.")
        session = selectors.session_get(public_id=public_id, owner=self.request.user)
        return Who(session_id=session.public_id)

    def post(self, request):
        return Response(type(self).operation(self.who(), request.data))


@documented_call(request=s.ChatInput, response=s.ChatOutput, summary="Chat completion")
class ChatView(InferenceView):
    operation = calls.chat


@documented_call(request=s.EmbedInput, response=s.EmbedOutput, summary="Text embeddings")
class EmbedView(InferenceView):
    operation = calls.embed


@documented_call(request=s.ImageInput, response=s.ImagesOutput, summary="Image generation")
class ImagesView(InferenceView):
    operation = calls.image


class UsageView(InferenceView):
    http_method_names = ["get", "options"]

    @extend_schema(
        parameters=[SESSION_HEADER, s.UsageInput],
        responses=s.UsageOutput,
        summary="This session's inference usage: totals and per model",
    )
    def get(self, request):
        return Response(calls.usage(self.who(), request.query_params.dict()))


class PreviewAllowanceView(APIView):
    """Whether a session's preview may call inference (the browser `@stage/inference`), within a token budget."""

    http_method_names = ["get", "put", "delete", "options"]

    def _answer(self, session):
        allowance = PreviewAllowance.objects.filter(session=session).first()
        tokens = allowance.tokens_per_hour if allowance else 0
        return Response(
            s.PreviewAllowanceOutput.of(
                {"session_id": session.public_id, "allowed": allowance is not None, "tokens_per_hour": tokens}
            )
        )

    def _session(self, session_id):
        return selectors.session_get(public_id=session_id, owner=self.request.user)

    @extend_schema(responses=s.PreviewAllowanceOutput, summary="Whether this session's preview may call inference")
    def get(self, request, session_id):
        return self._answer(self._session(session_id))

    @extend_schema(
        request=s.PreviewAllowanceInput,
        responses=s.PreviewAllowanceOutput,
        summary="Allow this session's preview to call inference, within tokens per hour (0: no longer)",
    )
    def put(self, request, session_id):
        session = self._session(session_id)
        data = s.checked(s.PreviewAllowanceInput, request.data)
        preview_allowance_set(session=session, tokens_per_hour=data["tokensPerHour"])
        return self._answer(session)

    @extend_schema(responses=s.PreviewAllowanceOutput, summary="Take back this session's preview's leave")
    def delete(self, request, session_id):
        session = self._session(session_id)
        preview_allowance_set(session=session, tokens_per_hour=0)
        return self._answer(session)
