"""REST views for published apps, their versions and channels. Thin: parse, call a service or selector, present."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.serializers import validated
from stage import presenters, selectors
from stage.api import app_serializers as s
from stage.models import App
from stage.origins.names import preview_url, version_url
from stage.origins.preview_links import PARAM, preview_token_mint
from stage.services.published_apps import app_deploy, app_publish, app_update, channel_promote, channel_rollback


class AppScopedView(APIView):
    """A view under /apps/<sid>/: the app is the caller's own, or the answer is 404."""

    def app(self) -> App:
        return selectors.app_get(sid=self.kwargs["sid"], owner=self.request.user)

    def channels(self, app: App) -> dict:
        return presenters.ChannelsOutput.of(selectors.channels_of(app=app))


class AppListCreateView(APIView):
    @extend_schema(
        request=s.AppPublishInput, responses={201: presenters.AppOutput}, summary="Publish a session as an app"
    )
    def post(self, request):
        data = validated(s.AppPublishInput, request.data)
        session = selectors.session_get(public_id=data["sessionId"], owner=request.user)
        app = app_publish(
            session=session, name=data["name"], description=data.get("description", ""), author=request.user
        )
        return Response(presenters.AppOutput.of(app), status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("author", str, description="The author's email."),
            OpenApiParameter("sessionId", str, description="The session the app was published from."),
            OpenApiParameter("status", str, enum=App.Status.values),
        ],
        responses=presenters.AppOutput(many=True),
        summary="The caller's apps, newest first",
    )
    def get(self, request):
        query = validated(s.AppListQuery, request.query_params.dict())
        apps = selectors.app_list(
            owner=request.user,
            author=query.get("author"),
            session_id=query.get("sessionId"),
            status=query.get("status"),
        )
        return Response(presenters.apps_detail(apps))


class AppDetailView(AppScopedView):
    @extend_schema(responses=presenters.AppOutput, summary="One app, with its channels")
    def get(self, request, sid):
        return Response(presenters.AppOutput.of(self.app()))

    @extend_schema(
        request=s.AppUpdateInput, responses=presenters.AppOutput, summary="Update app metadata and repository"
    )
    def patch(self, request, sid):
        app = self.app()
        changes = validated(s.AppUpdateInput, request.data)
        return Response(presenters.AppOutput.of(app_update(app=app, changes=dict(changes))))


class AppDeployView(AppScopedView):
    @extend_schema(
        request=s.AppDeployInput, responses={201: presenters.DeployOutput}, summary="Deploy the session's files"
    )
    def post(self, request, sid):
        app = self.app()
        data = validated(s.AppDeployInput, request.data)
        version = app_deploy(app=app, actor=request.user, promote=data["promote"])
        body = {"app": presenters.AppOutput.of(selectors.app_get(sid=sid, owner=request.user))}
        body["version"] = presenters.version_detail(version)
        return Response(body, status=status.HTTP_201_CREATED)


class AppVersionsView(AppScopedView):
    @extend_schema(
        responses=presenters.VersionOutput(many=True), summary="Versions, newest first, with their manifests"
    )
    def get(self, request, sid):
        return Response(presenters.versions_detail(selectors.version_list(app=self.app())))


class AppChannelsView(AppScopedView):
    @extend_schema(responses=presenters.ChannelsOutput, summary="Where preview and production point")
    def get(self, request, sid):
        return Response(self.channels(self.app()))


class PromoteView(AppScopedView):
    @extend_schema(request=s.PromoteInput, responses=presenters.ChannelsOutput, summary="Point production at a version")
    def post(self, request, sid):
        app = self.app()
        data = validated(s.PromoteInput, request.data)
        channel_promote(app=app, actor=request.user, version_sid=data.get("appVersionSid"))
        return Response(self.channels(app))


class RollbackView(AppScopedView):
    @extend_schema(request=None, responses=presenters.ChannelsOutput, summary="Production back to its previous version")
    def post(self, request, sid):
        app = self.app()
        validated(s.EmptyInput, request.data)
        channel_rollback(app=app, actor=request.user)
        return Response(self.channels(app))


class ChannelHistoryView(AppScopedView):
    @extend_schema(
        responses=presenters.ChannelMoveOutput(many=True), summary="Every channel pointer move, newest first"
    )
    def get(self, request, sid):
        return Response(presenters.ChannelMoveOutput.many(selectors.channel_history(app=self.app())))


class PreviewLinkView(AppScopedView):
    @extend_schema(
        request=s.PreviewLinkInput,
        responses={201: presenters.PreviewLinkOutput},
        summary="A signed, expiring link to the app's preview (or to one version's origin)",
    )
    def post(self, request, sid):
        app = self.app()
        data = validated(s.PreviewLinkInput, request.data)
        if data.get("version") is not None:
            origin = version_url(app.sid, selectors.version_get_by_number(app=app, number=data["version"]).number)
        else:
            origin = preview_url(app.sid)
        token = preview_token_mint(app_sid=app.sid, expires_in=data.get("expiresIn"))
        body = {"url": f"{origin}/?{PARAM}={token.value}", "token": token.value, "expiresAt": token.expires_at * 1000}
        return Response(presenters.PreviewLinkOutput.of(body), status=status.HTTP_201_CREATED)
