"""The README's API tour works exactly as written, against a real server."""

import os
import re
import subprocess
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def tour_script() -> str:
    text = README.read_text()
    section = text[text.index("<!-- section:tour -->") : text.index("<!-- /section:tour -->")]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


@pytest.mark.django_db(transaction=True)
def test_the_api_tour_runs_as_written(live_server, api):
    env = {**os.environ, "STAGE_URL": live_server.url, "STAGE_API_KEY": api.raw_key}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", tour_script()], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert '"success":false' not in result.stdout and '"status":"error"' not in result.stdout, result.stdout
    assert result.stdout.count('"success":true') == 15, result.stdout
    assert result.stdout.count('"status":"success"') == 1, result.stdout


def _named(cell: str) -> set[str]:
    """The field names a table cell lists first in each of its comma-separated items: `` `a` (note), `b` ``."""
    return set(re.findall(r"(?:^|, )`(\w+)`", cell.strip()))


def _row(text: str, name: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith(f"  | `{name}` |"))
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def test_the_block_and_channel_tables_name_exactly_the_fields_stage_checks():
    from workflows.registry import _BLOCKS
    from workflows.services.communication import KIND_FIELDS

    text = README.read_text()
    for name, block in _BLOCKS.items():
        _, required, optional, _ = _row(text, name)
        assert (_named(required), _named(optional)) == (set(block.required), set(block.optional)), name
    for kind, (public, secret, required) in KIND_FIELDS.items():
        _, fields, secrets, needed = _row(text, kind)
        assert (_named(fields), _named(secrets), _named(needed)) == (public | secret, secret, required), kind


ROOT = README.parent
DOCS = [README, ROOT / "ARCHITECTURE.md", *sorted((ROOT / "docs").glob("*.md"))]


def _environment_names(path: Path, pattern: str) -> set[str]:
    return set(re.findall(pattern, path.read_text()))


def test_every_setting_read_from_the_environment_is_in_the_configuration_page():
    names = _environment_names(ROOT / "config" / "settings.py", r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"")
    names |= _environment_names(ROOT / "config" / "gunicorn.conf.py", r"os\.environ\.get\(\s*\"([A-Z][A-Z0-9_]+)\"")
    documented = (ROOT / "docs" / "CONFIGURATION.md").read_text()
    assert len(names) > 50, names  # the patterns still find the settings
    assert sorted(name for name in names if f"`{name}`" not in documented) == []


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_docs_point_at_nothing_outside_the_repository():
    for doc in DOCS:
        text = doc.read_text()
        for outside in ("shared/spec", "spec/", "STYLE.md"):
            assert outside not in text, f"{doc.name} mentions {outside}"
        prose = re.sub(r"```.*?```", "", text, flags=re.S)
        for link in re.findall(r"\]\(([^)\s]+)\)", prose):
            if link.startswith(("http://", "https://")):
                continue
            path, _, anchor = link.partition("#")
            target = (doc.parent / path).resolve() if path else doc
            assert target.exists() and ROOT in target.parents, f"{doc.name}: {link} is not in the repository"
            if anchor and target.is_file():
                headings = re.findall(r"^#+ (.*)$", target.read_text(), re.M)
                assert anchor in {_slug(h) for h in headings}, f"{doc.name}: no heading for {link}"
