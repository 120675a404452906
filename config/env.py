"""The one place that reads the environment."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def development_secret_key() -> str:
    """A random key kept per checkout (var/dev-secret-key), for development only: never a key anyone can read
    in the source, since it signs preview links and derives the keys that encrypt stored secrets."""
    import os
    import secrets

    path = BASE_DIR / "var" / "dev-secret-key"
    path.parent.mkdir(exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()
