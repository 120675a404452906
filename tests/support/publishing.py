"""Publishing test apps through the real services: a session, its files, app_publish / app_deploy."""

from stage.models import App
from stage.services.files import files_push
from stage.services.published_apps import app_deploy, app_publish
from stage.services.sessions import session_create

HEALTH = """
import { Hono } from "hono";
const app = new Hono();
app.get("/health", (c) => c.json({ status: "ok" }));
export default app;
"""


def publish(user, files: dict[str, str] | str = HEALTH, *, name: str = "backend") -> App:
    """An app whose production and preview serve these files (a string is /app/src/app.ts)."""
    if isinstance(files, str):
        files = {"/app/src/app.ts": files}
    session = session_create(owner=user, name=name)
    files_push(session=session, files=list(files.items()))
    return app_publish(session=session, name=name, author=user)


def deploy(app: App, files: dict[str, str] | str, *, promote: bool = True):
    if isinstance(files, str):
        files = {"/app/src/app.ts": files}
    files_push(session=app.session, files=list(files.items()))
    return app_deploy(app=app, actor=app.author, promote=promote)
