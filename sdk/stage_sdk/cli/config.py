"""Where the CLI finds the server URL, the API key and the current session.

Precedence: a flag, then the environment (STAGE_URL, STAGE_API_KEY, STAGE_SESSION), then the config file
($STAGE_CONFIG, else $XDG_CONFIG_HOME/stage/config.json, else ~/.config/stage/config.json), then the default.
The file holds a key, so it is written owner-only (0600).
"""

import json
import os
from pathlib import Path

import click

from stage_sdk.client import DEFAULT_URL

KEYS = {"url": "STAGE_URL", "key": "STAGE_API_KEY", "session": "STAGE_SESSION"}


def config_path() -> Path:
    if os.environ.get("STAGE_CONFIG"):
        return Path(os.environ["STAGE_CONFIG"])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "stage" / "config.json"


def load() -> dict:
    path = config_path()
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot read {path}: {exc}") from exc
    return data if isinstance(data, dict) else {}


def save(values: dict) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle, indent=2, sort_keys=True)
    os.replace(tmp, path)
    return path


def set_value(name: str, value: str | None) -> Path:
    values = load()
    if value is None:
        values.pop(name, None)
    else:
        values[name] = value
    return save(values)


def resolve(name: str, flag: str | None = None) -> tuple[str | None, str]:
    """The value of ``name`` (url, key, session) and where it came from."""
    if flag:
        return flag, "flag"
    if os.environ.get(KEYS[name]):
        return os.environ[KEYS[name]], f"env {KEYS[name]}"
    stored = load().get(name)
    if stored:
        return stored, f"file {config_path()}"
    if name == "url":
        return DEFAULT_URL, "default"
    return None, "unset"


def mask(key: str | None) -> str | None:
    if not key:
        return key
    return key[:4] + "…" + key[-4:] if len(key) > 12 else "…"
