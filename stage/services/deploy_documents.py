"""Files a deploy checks and keeps on the version, registered by the apps that own their formats.

The deploy service knows no plug-in: an app that gives a file meaning registers it from its AppConfig.ready(),
with the parser that validates it (raising ValidationFailed, which refuses the deploy) and the AppVersion field
the parsed value is kept in.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DeployDocument:
    path: str
    parse: Callable[[str], Any]  # the file's text -> what the version keeps
    field: str  # the AppVersion field it is kept in


_documents: dict[str, DeployDocument] = {}


def register_deploy_document(path: str, *, parse: Callable[[str], Any], field: str) -> None:
    _documents[path] = DeployDocument(path=path, parse=parse, field=field)


def parse_deploy_documents(files, read: Callable[[str], str]) -> dict[str, Any]:
    """AppVersion field -> parsed value, for each registered file present in `files` (checked in path order)."""
    return {doc.field: doc.parse(read(doc.path)) for path, doc in sorted(_documents.items()) if path in files}
