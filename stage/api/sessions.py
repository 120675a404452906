"""REST views for sessions and everything inside them. Thin: parse, call a service or selector, present."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.envelope import NULLABLE_DATA, error_response
from core.api.pagination import NewestFirstPagination, page_of
from core.api.serializers import validated
from core.errors import ValidationFailed
from stage import presenters, selectors
from stage.api import serializers as s
from stage.models import Session
from stage.renders.services import render_trigger
from stage.services.files import file_write, files_push
from stage.services.scopes import google_scopes_set
from stage.services.sessions import session_create, session_delete, session_touch
from stage.services.snapshots import snapshot_create, snapshot_restore


class SessionScopedView(APIView):
    """A view under /sessions/<sessionId>/: the session is the caller's own, or the answer is 404."""

    def session(self) -> Session:
        session = selectors.session_get(public_id=self.kwargs["session_id"], owner=self.request.user)
        session_touch(session=session)
        return session


def positive_int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ValidationFailed(f"{name} must be a positive integer", details={name: ["Expected a positive integer."]})
    return int(raw)


def bool_param(request, name: str) -> bool:
    raw = request.query_params.get(name)
    if raw in (None, "0", "false"):
        return False
    if raw in ("1", "true"):
        return True
    raise ValidationFailed(f"{name} must be true or false", details={name: ["Expected true, false, 1 or 0."]})


class MeView(APIView):
    @extend_schema(responses=presenters.MeOutput, summary="Who the key in use belongs to, and which key it is")
    def get(self, request):
        return Response(presenters.MeOutput.of({"user": request.user, "key": request.auth}))


class SessionListCreateView(APIView):
    @extend_schema(
        request=s.SessionCreateInput, responses={201: presenters.SessionIdOutput}, summary="Create a session"
    )
    def post(self, request):
        data = validated(s.SessionCreateInput, request.data)
        session = session_create(owner=request.user, name=data.get("name"))
        return Response(presenters.SessionIdOutput.of(session), status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str, description="The `next` or `previous` cursor of an earlier page."),
            OpenApiParameter("limit", int, description="Sessions per page (at most 200)."),
        ],
        responses=page_of("SessionPage", presenters.SessionOutput),
        summary="List the caller's sessions, newest first",
    )
    def get(self, request):
        paginator = NewestFirstPagination()
        page = paginator.paginate_queryset(selectors.session_list(owner=request.user), request, view=self)
        return paginator.get_paginated_response(presenters.SessionOutput.many(page))


class SessionDetailView(SessionScopedView):
    @extend_schema(responses=presenters.SessionDetailOutput, summary="The session, its render state and counts")
    def get(self, request, session_id):
        return Response(presenters.session_detail(self.session()))

    @extend_schema(
        responses={200: presenters.DeletedOutput, 409: error_response("An app is published from it (CONFLICT).")},
        summary="Delete the session: its files, snapshots, renders, live state and unshared artifacts",
    )
    def delete(self, request, session_id):
        session = self.session()
        public_id = session.public_id
        session_delete(session=session)
        return Response(presenters.DeletedOutput.of({"id": public_id, "deleted": True}))


class SessionPushView(SessionScopedView):
    @extend_schema(
        request=s.PushInput, responses=presenters.PushedOutput, summary="Write many files in one transaction"
    )
    def post(self, request, session_id):
        session = self.session()
        data = validated(s.PushInput, request.data)
        pushed = files_push(session=session, files=s.push_files_from(data["files"]))
        changed, unchanged = len(pushed.written), len(pushed.unchanged)
        return Response(
            presenters.PushedOutput.of({"count": changed + unchanged, "changed": changed, "unchanged": unchanged})
        )


class SessionFilesView(SessionScopedView):
    @extend_schema(
        parameters=[OpenApiParameter("content", bool, description="Include each file's content.")],
        responses=presenters.FileSummaryOutput(many=True),
        summary="The latest version of every file",
    )
    def get(self, request, session_id):
        with_content = bool_param(request, "content")
        return Response(selectors.current_files(session=self.session(), with_content=with_content))


class SessionFileView(SessionScopedView):
    @extend_schema(
        parameters=[OpenApiParameter("version", int, description="An older version of the file.")],
        responses=presenters.FileDetailOutput,
        summary="Read a file",
    )
    def get(self, request, session_id, path):
        version = positive_int_param(request, "version")
        found = selectors.file_get_or_404(session=self.session(), path="/" + path, version=version)
        return Response(presenters.FileDetailOutput.of(found))

    @extend_schema(request=s.FileWriteInput, responses=presenters.FileWrittenOutput, summary="Write one file")
    def put(self, request, session_id, path):
        session = self.session()
        data = validated(s.FileWriteInput, request.data)
        version = file_write(session=session, path="/" + path, content=data["content"], encoding=data["encoding"])
        return Response(presenters.FileWrittenOutput.of(version))


class SessionHistoryView(SessionScopedView):
    @extend_schema(
        parameters=[OpenApiParameter("path", str, required=True)],
        responses=presenters.FileHistoryOutput(many=True),
        summary="Every version of one path, newest first",
    )
    def get(self, request, session_id):
        path = request.query_params.get("path")
        if not path:
            raise ValidationFailed("path is required", details={"path": ["This query parameter is required."]})
        history = selectors.file_history(session=self.session(), path=path)
        return Response(presenters.FileHistoryOutput.many(history))


class SessionSnapshotsView(SessionScopedView):
    @extend_schema(
        request=s.SnapshotCreateInput, responses={201: presenters.SnapshotOutput}, summary="Snapshot the files"
    )
    def post(self, request, session_id):
        session = self.session()
        data = validated(s.SnapshotCreateInput, request.data)
        snapshot = snapshot_create(session=session, name=data.get("name"))
        return Response(presenters.snapshot_summary(snapshot), status=status.HTTP_201_CREATED)

    @extend_schema(responses=presenters.SnapshotOutput(many=True), summary="List snapshots, newest first")
    def get(self, request, session_id):
        return Response(presenters.snapshots_with_counts(self.session()))


class SnapshotDetailView(SessionScopedView):
    @extend_schema(responses=presenters.SnapshotDetailOutput, summary="A snapshot and the file versions it holds")
    def get(self, request, session_id, snapshot_id):
        snapshot = selectors.snapshot_get(session=self.session(), public_id=snapshot_id)
        return Response(presenters.snapshot_detail(snapshot))


class SnapshotRestoreView(SessionScopedView):
    @extend_schema(
        request=None, responses=presenters.RestoredOutput, summary="Write a snapshot's files back as new versions"
    )
    def post(self, request, session_id, snapshot_id):
        snapshot = selectors.snapshot_get(session=self.session(), public_id=snapshot_id)
        return Response(presenters.RestoredOutput.of({"restored": snapshot_restore(snapshot=snapshot)}))


class SessionRenderView(SessionScopedView):
    @extend_schema(
        responses=presenters.RenderStateOutput,
        summary="The latest render's state (null: none yet)",
        extensions={NULLABLE_DATA: True},
    )
    def get(self, request, session_id):
        return Response(presenters.RenderStateOutput.of(selectors.render_latest(session=self.session())))

    @extend_schema(request=s.RenderInput, responses=presenters.RenderTriggeredOutput, summary="Trigger a render")
    def post(self, request, session_id):
        session = self.session()
        data = validated(s.RenderInput, request.data)
        render = render_trigger(session=session, entry=data.get("entry"))
        return Response(presenters.RenderTriggeredOutput.of(render))


class SessionStatusView(SessionScopedView):
    @extend_schema(responses=presenters.StatusOutput, summary="Session times, render state and the latest files")
    def get(self, request, session_id):
        return Response(presenters.session_status(self.session()))


class SessionGoogleScopesView(SessionScopedView):
    @extend_schema(
        request=s.GoogleScopesInput, responses=presenters.GoogleScopesOutput, summary="Set the Google scopes"
    )
    def put(self, request, session_id):
        session = self.session()
        data = validated(s.GoogleScopesInput, request.data)
        return Response(
            presenters.GoogleScopesOutput.of({"scopes": google_scopes_set(session=session, scopes=data["scopes"])})
        )

    @extend_schema(responses=presenters.GoogleScopesOutput, summary="The stored Google scopes")
    def get(self, request, session_id):
        return Response(presenters.GoogleScopesOutput.of({"scopes": self.session().google_scopes}))
