"""POST /api/query, /api/mutation, /api/action: Convex's HTTP API, as the stage CLI speaks it.

A function's own failure is HTTP 200 with {"status": "error", "errorMessage"}; a request that never
reaches a function (no key, malformed body) is a real 4xx with {code, message}.
"""

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

import stage.convex.live  # registers the live-state functions (kv, live data, messages)
import stage.convex.published_apps  # registers the app functions
import stage.convex.sessions  # noqa: F401  (registers the session functions)
from core.api.envelope import describe_exception
from core.api.serializers import StrictCharField, StrictSerializer
from core.errors import StageError, ValidationFailed
from stage.convex.registry import FUNCTIONS, describe_errors


class CallInput(StrictSerializer):
    path = StrictCharField()
    args = serializers.DictField(required=False, default=dict)
    format = serializers.ChoiceField(choices=["json"], required=False)


def convex_exception_handler(exc, context):
    status, body, headers = describe_exception(exc)
    return Response(body["error"], status=status, headers=headers)


def _error(message: str) -> Response:
    return Response({"status": "error", "errorMessage": message, "logLines": []})


class ConvexCallView(APIView):
    kind: str = ""
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self):
        return convex_exception_handler

    @extend_schema(
        request=CallInput,
        responses=OpenApiTypes.OBJECT,
        summary="Call a stage:* function (Convex HTTP API)",
        description='Answers {"status": "success", "value": ...} or {"status": "error", "errorMessage": ...}.',
    )
    def post(self, request):
        call = CallInput(data=request.data)
        if not call.is_valid():
            raise ValidationFailed("Malformed call: " + "; ".join(describe_errors(call.errors)))
        path, raw_args = call.validated_data["path"], call.validated_data["args"]
        function = FUNCTIONS.get(path)
        if function is None:
            return _error(f"Could not find public function for '{path}'")
        if function.kind != self.kind:
            return _error(f"{path} is a {function.kind}; call it through /api/{function.kind}, not /api/{self.kind}")
        args = function.args(data=raw_args)
        if not args.is_valid():
            return _error(f"{path}: invalid arguments: " + "; ".join(describe_errors(args.errors)))
        try:
            with transaction.atomic():
                value = function.handler(request.user, **args.validated_data)
        except StageError as exc:
            return _error(exc.message)
        return Response({"status": "success", "value": value, "logLines": []})


class QueryView(ConvexCallView):
    kind = "query"


class MutationView(ConvexCallView):
    kind = "mutation"


class ActionView(ConvexCallView):
    kind = "action"
