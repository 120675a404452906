"""REST: POST /api/v1/stage/apps/<sid>/compute/{query,mutation,action} with {module, fn, args}, for the app's owner."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from published_api.compute.services import compute_call
from stage import selectors
from stage.api.serializers import StrictCharField, StrictSerializer, validated


class ComputeInput(StrictSerializer):
    module = StrictCharField(max_length=64)
    fn = StrictCharField(max_length=100)
    args = serializers.DictField(required=False, default=dict)


class ComputeView(APIView):
    kind = "query"

    @extend_schema(request=ComputeInput, summary="Run one of the app's compute functions (production)")
    def post(self, request, sid):
        app = selectors.app_get(sid=sid, owner=request.user)
        data = validated(ComputeInput, request.data)
        return Response(compute_call(app=app, kind=self.kind, module=data["module"], fn=data["fn"], args=data["args"]))


urlpatterns_kinds = {kind: ComputeView.as_view(kind=kind) for kind in ("query", "mutation", "action")}
