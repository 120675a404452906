"""REST views for workflow runs and communication. Thin: parse, call a service or selector, present."""

import re

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.envelope import error_body
from core.api.pagination import NewestFirstPagination, page_of
from core.api.serializers import validated
from core.errors import ValidationFailed
from stage.selectors import app_get
from workflows import presenters, selectors
from workflows.api import serializers as s
from workflows.errors import StepFailed
from workflows.services.communication import channel_create, registration_create
from workflows.services.records import google_credential_remove, google_credential_set
from workflows.services.run_requests import run_request

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


def _flag(request, name: str) -> bool:
    raw = request.query_params.get(name)
    if raw in (None, "", "0", "false"):
        return False
    if raw in ("1", "true"):
        return True
    raise ValidationFailed(f"{name} must be 1 or 0", details={name: ["Expected 1, 0, true or false."]})


def _idempotency_key(request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.match(key):
        raise ValidationFailed(
            "Idempotency-Key must be 1 to 200 printable characters",
            details={"Idempotency-Key": ["Expected 1 to 200 printable ASCII characters."]},
        )
    return key


RUN_ID_HEADER = "X-Stage-Run-Id"  # on every answer of a run: success, failure, accepted


def answer_response(answer: dict, run_id: str) -> Response:
    headers = {**answer.get("headers", {}), RUN_ID_HEADER: run_id}
    code, body = answer["status"], answer.get("body")
    if code >= 400:
        message = f"The workflow answered {code}"
        response = Response(error_body("WORKFLOW_RESPONSE", message, body), status=code, headers=headers)
        response.exception = True  # already enveloped
        return response
    return Response(body, status=code, headers=headers)


class RunWorkflowView(APIView):
    @extend_schema(
        request=s.RunInput,
        responses={200: presenters.RunAnswerOutput, 202: presenters.RunAcceptedOutput},
        parameters=[
            OpenApiParameter("dryRun", bool, description="Validate and render every step without side effects."),
            OpenApiParameter("async", bool, description="Answer 202 {runId} and run on a worker."),
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, description="Same key, same run."),
        ],
        summary="Execute a published workflow from /app/shift.workflows.json",
    )
    def post(self, request, app_sid, workflow):
        data = validated(s.RunInput, request.data)
        dry_run, is_async = _flag(request, "dryRun"), _flag(request, "async")
        key = _idempotency_key(request)
        app = app_get(sid=app_sid, owner=request.user)
        try:
            requested = run_request(
                app=app,
                caller=request.user,
                workflow=workflow,
                input=data["input"],
                dry_run=dry_run,
                is_async=is_async,
                idempotency_key=key,
            )
        except StepFailed as failure:  # the run exists and failed: its id travels with the error too
            response = Response(
                error_body(failure.code, failure.message, failure.details),
                status=failure.status_code,
                headers={RUN_ID_HEADER: failure.details["runId"]},
            )
            response.exception = True  # already enveloped
            return response
        run = requested.run
        if requested.answer is None:
            accepted = presenters.RunAcceptedOutput.of(run)
            return Response(accepted, status=status.HTTP_202_ACCEPTED, headers={RUN_ID_HEADER: run.public_id})
        return answer_response(requested.answer, run.public_id)


class AppRunsView(APIView):
    @extend_schema(
        responses=page_of("RunPage", presenters.RunSummaryOutput), summary="List an app's workflow runs, newest first"
    )
    def get(self, request, sid):
        app = app_get(sid=sid, owner=request.user)
        runs = selectors.run_list(
            app=app, workflow=request.query_params.get("workflow"), status=request.query_params.get("status")
        )
        paginator = NewestFirstPagination()
        page = paginator.paginate_queryset(runs, request, view=self)
        return paginator.get_paginated_response(presenters.RunSummaryOutput.many(page))


class RunDetailView(APIView):
    @extend_schema(
        responses=presenters.RunDetailOutput,
        summary="A run with its steps: rendered configuration, output, error, duration",
    )
    def get(self, request, run_id):
        return Response(presenters.RunDetailOutput.of(selectors.run_get(public_id=run_id, owner=request.user)))


class ChannelsView(APIView):
    @extend_schema(responses=presenters.CommunicationChannelOutput(many=True), summary="List communication channels")
    def get(self, request):
        return Response(presenters.CommunicationChannelOutput.many(selectors.channel_list(owner=request.user)))

    @extend_schema(
        request=s.ChannelCreateInput,
        responses={201: presenters.CommunicationChannelOutput},
        summary="Create a channel (secrets write-only)",
    )
    def post(self, request):
        data = validated(s.ChannelCreateInput, request.data)
        channel = channel_create(owner=request.user, name=data["name"], kind=data["kind"], config=data["config"])
        return Response(presenters.CommunicationChannelOutput.of(channel), status=status.HTTP_201_CREATED)


class RegistrationsView(APIView):
    @extend_schema(
        responses=presenters.RegistrationOutput(many=True), summary="List registrations (optionally ?appSid=)"
    )
    def get(self, request):
        sid = request.query_params.get("appSid")
        app = app_get(sid=sid, owner=request.user) if sid else None
        registrations = selectors.registration_list(owner=request.user, app=app)
        return Response(presenters.RegistrationOutput.many(registrations))

    @extend_schema(
        request=s.RegistrationCreateInput,
        responses={201: presenters.RegistrationOutput},
        summary="Register an app for a channel",
    )
    def post(self, request):
        data = validated(s.RegistrationCreateInput, request.data)
        app = app_get(sid=data["appSid"], owner=request.user)
        channel = selectors.channel_get(public_id=data["channelId"], owner=request.user)
        registration = registration_create(app=app, channel=channel)
        return Response(presenters.RegistrationOutput.of(registration), status=status.HTTP_201_CREATED)


class MessagesView(APIView):
    @extend_schema(
        responses=presenters.MessageOutput(many=True),
        summary="An app's messages with their deliveries (?appSid= is required)",
    )
    def get(self, request):
        sid = request.query_params.get("appSid")
        if not sid:
            raise ValidationFailed("appSid is required", details={"appSid": ["This query parameter is required."]})
        app = app_get(sid=sid, owner=request.user)
        messages = selectors.message_list(app=app)[:200]
        return Response(presenters.MessageOutput.many(messages))


class GoogleCredentialsView(APIView):
    """The Google account an app's Sheets steps act as: set (secrets write-only, encrypted at rest), read (never a
    secret), removed."""

    http_method_names = ["get", "put", "delete", "options"]

    @extend_schema(responses=presenters.GoogleCredentialsOutput, summary="Whether the app has Google credentials")
    def get(self, request, sid):
        return Response(presenters.google_credentials_of(app_get(sid=sid, owner=request.user)))

    @extend_schema(
        request=s.GoogleCredentialsInput,
        responses=presenters.GoogleCredentialsOutput,
        summary="Attach Google credentials: a service account key, or an OAuth refresh token",
    )
    def put(self, request, sid):
        app = app_get(sid=sid, owner=request.user)
        data = validated(s.GoogleCredentialsInput, request.data)
        google_credential_set(
            app=app,
            refresh_token=data.get("refreshToken", ""),
            client_id=data.get("clientId", ""),
            client_secret=data.get("clientSecret", ""),
            service_account_info=data.get("serviceAccount"),
        )
        return Response(presenters.google_credentials_of(app))

    @extend_schema(responses=presenters.GoogleCredentialsOutput, summary="Remove the app's Google credentials")
    def delete(self, request, sid):
        app = app_get(sid=sid, owner=request.user)
        google_credential_remove(app=app)
        return Response(presenters.google_credentials_of(app))
