"""REST: POST /api/v1/stage/apps/<sid>/compute/{query,mutation,action} with {module, fn, args}, for the app's owner."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.envelope import error_response
from core.api.serializers import StrictCharField, StrictSerializer, validated
from published_api.compute.services import compute_call
from stage import selectors


class ComputeInput(StrictSerializer):
    module = StrictCharField(max_length=64, help_text="A module under /app/compute/, e.g. tasks for tasks.ts.")
    fn = StrictCharField(max_length=100, help_text="A function that module exports, of the kind in the path.")
    args = serializers.DictField(required=False, default=dict)


COMPUTE_RESPONSES = {
    200: OpenApiResponse(OpenApiTypes.ANY, description="Whatever the function returned (null for nothing)."),
    400: error_response(
        "Invalid input (VALIDATION_ERROR); the function threw, or names no such module or function of this kind "
        "(COMPUTE_ERROR, with the function's message); a query tried to write (COMPUTE_READ_ONLY)."
    ),
    404: error_response("No such app for this key, or the app has no compute modules (NOT_FOUND)."),
    413: error_response("The request, or the function's result, is too large (PAYLOAD_TOO_LARGE)."),
    500: error_response(
        "The app's code does not compile (BACKEND_COMPILE_ERROR) or its process crashed (BACKEND_CRASHED)."
    ),
    503: error_response("The document store is busy (COMPUTE_BUSY): retry."),
    504: error_response("The function did not finish within the backend deadline (TIMEOUT)."),
}


class ComputeView(APIView):
    kind = "query"

    @extend_schema(
        request=ComputeInput,
        responses=COMPUTE_RESPONSES,
        summary="Run one of the app's compute functions (production)",
    )
    def post(self, request, sid):
        app = selectors.app_get(sid=sid, owner=request.user)
        data = validated(ComputeInput, request.data)
        return Response(compute_call(app=app, kind=self.kind, module=data["module"], fn=data["fn"], args=data["args"]))


urlpatterns_kinds = {kind: ComputeView.as_view(kind=kind) for kind in ("query", "mutation", "action")}
