"""What a preview page shows, as one JSON-able value: the latest render's state, the newest ready version (the
one on screen) and the session's live revision. The same for the page as it loads, its state endpoint and its
event stream."""

from stage import presenters, selectors
from stage.models import Session
from stage.renders import selectors as render_selectors
from stage.selectors.live import live_revision


def preview_state_of(session: Session) -> dict:
    return {
        "render": presenters.RenderStateOutput.of(selectors.render_latest(session=session)),
        "readyVersion": render_selectors.ready_version(session=session),
        "liveRevision": live_revision(session=session),
    }
