"""Stage's Python SDK: ``create_client(...).stage.sessions / .apps / .run`` and the ``stage`` CLI."""

from stage_sdk import models
from stage_sdk.client import AsyncClient, Client, create_async_client, create_client
from stage_sdk.errors import RenderTimeout, StageError

__all__ = ["AsyncClient", "Client", "RenderTimeout", "StageError", "create_async_client", "create_client", "models"]
__version__ = "0.1.0"
