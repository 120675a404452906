"""The shared libraries of this builder version: built once for the whole platform (the first build that needs
them makes them; a concurrent one finds them made), kept in the database so that every host serves the same
script, and remembered by each process."""

import functools
import gzip
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from stage.models import SharedLibrary
from stage.renders import esbuild

MAX_REMEMBERED = 4


@dataclass(frozen=True)
class Shared:
    fingerprint: str
    js: str
    exports: dict[str, list[str]]


@functools.cache
def builder_fingerprint() -> str:
    return esbuild.builder_fingerprint()


@functools.lru_cache(maxsize=1)
def _made(fingerprint: str) -> Shared:
    """Another process's, when one has stored them; else built here (some 2 s)."""
    row = SharedLibrary.objects.filter(fingerprint=fingerprint).values("js", "exports").first()
    if row is None:
        output = esbuild.build_shared()
        row = {"js": output.js, "exports": output.exports}
    return Shared(fingerprint=fingerprint, **row)


def shared_library() -> Shared:
    """This builder version's shared libraries, stored for every host (raises esbuild.BuildFailed)."""
    shared = _made(builder_fingerprint())
    if not SharedLibrary.objects.filter(fingerprint=shared.fingerprint).exists():
        try:
            with transaction.atomic():
                SharedLibrary.objects.create(
                    fingerprint=shared.fingerprint, js=shared.js, exports=shared.exports, size=len(shared.js.encode())
                )
        except IntegrityError:
            pass  # stored meanwhile by another build
    return shared


@dataclass(frozen=True)
class Script:
    plain: bytes
    gzipped: bytes  # about a third of the size


_scripts: dict[str, Script] = {}


def shared_script(fingerprint: str) -> Script | None:
    """The script of the shared libraries a fingerprint names, encoded and compressed once; None for those this
    platform never built. This builder version's are built if nobody has yet."""
    if fingerprint not in _scripts:
        if fingerprint == builder_fingerprint():
            js = shared_library().js
        else:
            js = SharedLibrary.objects.filter(fingerprint=fingerprint).values_list("js", flat=True).first()
        if js is None:
            return None
        if len(_scripts) >= MAX_REMEMBERED:
            _scripts.clear()
        plain = js.encode()
        _scripts[fingerprint] = Script(plain=plain, gzipped=gzip.compress(plain, mtime=0))
    return _scripts[fingerprint]
