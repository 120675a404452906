"""What a build leaves: an artifact stored once per content hash, or its errors, capped. Shared by session renders
and app versions' UIs: files a build has already made are a hash lookup, whoever asks."""

import hashlib
import json
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

from stage.models import RenderArtifact
from stage.renders import esbuild
from stage.renders.shared import builder_fingerprint, shared_library

MAX_ERROR_LENGTH = 20_000
MAX_ERROR_LOCATIONS = 50
T = TypeVar("T")


def content_hash(*, entry: str, files: dict[str, str], binary: dict[str, str] | None = None) -> str:
    """Everything that decides the artifact: the entry, every file's path and content, and the builder."""
    everything = [builder_fingerprint(), entry, sorted(files.items())]
    if binary:
        everything.append(sorted(binary.items()))
    payload = json.dumps(everything, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def artifact_store(*, content_hash: str, output: esbuild.BuildOutput, shared: str = "") -> RenderArtifact:
    """Store a built bundle once per content hash; a concurrent build of the same files finds the first one.
    `shared`: the fingerprint of the shared libraries it was built against."""
    size = len(output.js.encode()) + len(output.css.encode())
    try:
        with transaction.atomic():
            return RenderArtifact.objects.create(
                content_hash=content_hash,
                js=output.js,
                css=output.css,
                source_map=output.source_map,
                size=size,
                shared=shared,
            )
    except IntegrityError:
        return RenderArtifact.objects.get(content_hash=content_hash)


def artifact_for(
    *,
    entry: str,
    files: dict[str, str],
    binary: dict[str, str] | None = None,
    attach: Callable[[RenderArtifact], T],
    fail: Callable[[list[dict], str], T],
) -> T:
    """Reuse the artifact of these exact files (text, and binary ones in base64) or build it; `attach(artifact)`
    records it on its user (inside the lock that keeps retention.py from deleting a reused artifact meanwhile),
    `fail(errors, text)` records a failed build's errors (capped)."""
    digest = content_hash(entry=entry, files=files, binary=binary)
    with transaction.atomic():  # a reused artifact stays locked until its user points at it (retention.py)
        artifact = RenderArtifact.objects.select_for_update().filter(content_hash=digest).first()
        if artifact is not None:
            return attach(artifact)
    try:
        shared = shared_library()
        output = esbuild.build_bundle(entry=entry, files=files, binary=binary, shared=shared.exports)
    except esbuild.BuildFailed as exc:
        errors = exc.errors[:MAX_ERROR_LOCATIONS]
        return fail(errors, esbuild.format_errors(errors)[:MAX_ERROR_LENGTH])
    return attach(artifact_store(content_hash=digest, output=output, shared=shared.fingerprint))
