"""REST: POST /api/v1/inference/{chat,embed,images}, GET /api/v1/inference/usage, scoped by X-Stage-Session.

The session must be the caller's own (another owner's, or an unknown one, is 404); usage is recorded against it.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from published_api.inference import calls
from published_api.inference import serializers as s
from published_api.inference.services import Who
from stage import selectors
from stage.errors import ValidationFailed

SESSION_HEADER = OpenApiParameter("X-Stage-Session", str, location=OpenApiParameter.HEADER, required=True)


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


class ChatView(InferenceView):
    operation = calls.chat
    post = extend_schema(request=s.ChatInput, parameters=[SESSION_HEADER], summary="Chat completion")(
        InferenceView.post
    )


class EmbedView(InferenceView):
    operation = calls.embed
    post = extend_schema(request=s.EmbedInput, parameters=[SESSION_HEADER], summary="Text embeddings")(
        InferenceView.post
    )


class ImagesView(InferenceView):
    operation = calls.image
    post = extend_schema(request=s.ImageInput, parameters=[SESSION_HEADER], summary="Image generation")(
        InferenceView.post
    )


class UsageView(InferenceView):
    http_method_names = ["get", "options"]

    @extend_schema(parameters=[SESSION_HEADER], summary="This session's inference usage: totals and per model")
    def get(self, request):
        return Response(calls.usage(self.who(), request.query_params.dict()))
