from .files import CurrentFile, FileVersion
from .live import SessionMessage, SessionValue
from .published_apps import App, AppVersion, AppVersionFile, Channel, ChannelMove
from .renders import Render, RenderArtifact, SharedLibrary
from .sessions import Session
from .snapshots import Snapshot

__all__ = [
    "App",
    "AppVersion",
    "AppVersionFile",
    "Channel",
    "ChannelMove",
    "CurrentFile",
    "FileVersion",
    "Render",
    "RenderArtifact",
    "Session",
    "SessionMessage",
    "SessionValue",
    "SharedLibrary",
    "Snapshot",
]
