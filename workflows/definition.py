"""Load and validate /app/shift.workflows.json. Every error names the JSON path it is about."""

import functools
import json
import re
from typing import Any

from workflows.errors import ValidationFailed
from workflows.registry import block_names, get_block
from workflows.templating import check_value

WORKFLOWS_PATH = "/app/shift.workflows.json"
NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,99}$")
STEP_ID_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
MAX_STEPS = 100


def _fail(path: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{WORKFLOWS_PATH} {path}: {message}", details={"path": path})


def _key(path: str, key: str) -> str:
    return f"{path}.{key}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else f"{path}[{json.dumps(key)}]"


def workflows_parse(*, text: str) -> dict:
    """Parse and validate the file's text. Registered with the deploy (workflows/apps.py), which refuses a version
    whose file does not hold and keeps the result on it; runs call it on the production version's file."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ValidationFailed(
            f"{WORKFLOWS_PATH} is not valid JSON: {exc}", details={"path": "$", "file": WORKFLOWS_PATH}
        ) from None
    workflows_validate(document=document)
    return document


def _validate_step(step: Any, path: str, seen_ids: set[str]) -> None:
    if not isinstance(step, dict):
        raise _fail(path, "a step must be an object")
    step_id = step.get("id")
    if "id" in step:
        if not isinstance(step_id, str) or not STEP_ID_PATTERN.match(step_id):
            raise _fail(_key(path, "id"), "a step id must match [A-Za-z_][A-Za-z0-9_]*")
        if step_id in seen_ids:
            raise _fail(_key(path, "id"), f"duplicate step id '{step_id}'")
        seen_ids.add(step_id)
    blocks = [key for key in step if key != "id"]
    if len(blocks) != 1:
        raise _fail(
            path, f"a step must hold exactly one block, found {len(blocks)} (known: {', '.join(block_names())})"
        )
    name = blocks[0]
    block = get_block(name)
    block_path = _key(path, name)
    if block is None:
        raise _fail(block_path, f"unknown block '{name}' (known: {', '.join(block_names())})")
    config = step[name]
    if not isinstance(config, dict):
        raise _fail(block_path, "a block's configuration must be an object")
    for missing in sorted(block.required - set(config)):
        raise _fail(_key(block_path, missing), "required field is missing")
    for unknown in sorted(set(config) - block.fields):
        raise _fail(_key(block_path, unknown), f"unknown field (allowed: {', '.join(sorted(block.fields))})")
    try:
        check_value(config, path=block_path)
    except ValidationFailed as exc:
        raise ValidationFailed(f"{WORKFLOWS_PATH} {exc.message}", details=exc.details) from None


@functools.lru_cache(maxsize=256)
def _validated_text(canonical: str) -> None:
    workflows_validate(document=json.loads(canonical))


def workflows_validate_cached(*, document: Any) -> None:
    """workflows_validate, remembered per distinct document: a version's file is checked once per process."""
    _validated_text(json.dumps(document, sort_keys=True))


def workflows_validate(*, document: Any) -> None:
    """Refuse unknown blocks, missing required fields and malformed templates, naming the JSON path."""
    if not isinstance(document, dict):
        raise _fail("$", "the workflows file must be a JSON object")
    for unknown in sorted(set(document) - {"version", "workflows"}):
        raise _fail(_key("$", unknown), "unknown field")
    if document.get("version") != 1:
        raise _fail("$.version", "must be 1")
    workflows = document.get("workflows")
    if not isinstance(workflows, dict):
        raise _fail("$.workflows", "must be an object of name -> {steps: [...]}")
    for name, workflow in workflows.items():
        path = _key("$.workflows", name)
        if not NAME_PATTERN.match(name):
            raise _fail(path, "a workflow name must match [A-Za-z][A-Za-z0-9_-]*")
        if not isinstance(workflow, dict):
            raise _fail(path, "a workflow must be an object with steps")
        for unknown in sorted(set(workflow) - {"steps", "description"}):
            raise _fail(_key(path, unknown), "unknown field")
        steps = workflow.get("steps")
        if not isinstance(steps, list) or not steps:
            raise _fail(f"{path}.steps", "must be a non-empty list")
        if len(steps) > MAX_STEPS:
            raise _fail(f"{path}.steps", f"at most {MAX_STEPS} steps")
        seen_ids: set[str] = set()
        for index, step in enumerate(steps):
            _validate_step(step, f"{path}.steps[{index}]", seen_ids)


def step_block(step: dict) -> tuple[str, dict]:
    name = next(key for key in step if key != "id")
    return name, step[name]
