"""Type checks for a step's rendered configuration. Errors name the field's path in the workflow."""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from workflows.errors import ValidationFailed
from workflows.registry import StepContext

_MISSING = object()


def field_path(ctx: StepContext, key: str) -> str:
    return f"steps[{ctx.index}][{ctx.block!r}].{key}".replace("'", '"')


def invalid(ctx: StepContext, key: str, message: str) -> ValidationFailed:
    """A field of the step is wrong: the message names the field (the step failing names the step), the details
    the whole path."""
    return ValidationFailed(f"{key}: {message}", details={"path": field_path(ctx, key)})


def text(ctx, config: dict, key: str, *, required=True, max_length=10_000, default="") -> str:
    value = config.get(key, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise invalid(ctx, key, "required")
        return default
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise invalid(ctx, key, f"expected a string, got {type(value).__name__}")
    if required and not value.strip():
        raise invalid(ctx, key, "must not be empty")
    if len(value) > max_length:
        raise invalid(ctx, key, f"at most {max_length} characters")
    return value


def email(ctx, config: dict, key: str, *, required=True) -> str:
    value = text(ctx, config, key, required=required, max_length=254)
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise invalid(ctx, key, f"not an email address: {value[:100]!r}") from None
    return value


def integer(ctx, config: dict, key: str, *, minimum: int, maximum: int) -> int:
    value = config.get(key)
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value.strip()):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(ctx, key, f"expected an integer, got {type(value).__name__}")
    if not minimum <= value <= maximum:
        raise invalid(ctx, key, f"must be between {minimum} and {maximum}")
    return value


def mapping(ctx, config: dict, key: str) -> dict:
    value = config.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid(ctx, key, f"expected an object, got {type(value).__name__}")
    return value


def sequence(ctx, config: dict, key: str, *, required=False) -> list:
    value = config.get(key, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise invalid(ctx, key, "required")
        return []
    if not isinstance(value, list):
        raise invalid(ctx, key, f"expected a list, got {type(value).__name__}")
    return value
