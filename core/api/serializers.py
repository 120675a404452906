"""Strict input serializers for every API: unknown keys, and values of the wrong JSON type, are refused rather than
quietly dropped or converted."""

import re

from rest_framework import serializers

_DIGITS = re.compile(r"-?[0-9]+\Z")


class StrictSerializer(serializers.Serializer):
    """A serializer that refuses keys it does not declare, instead of silently dropping them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """A string field that refuses numbers and booleans instead of quietly turning them into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """An integer: refuses booleans, floats (1.5 and 1.0 alike) and, in JSON bodies, numeric strings, all of which
    DRF's IntegerField quietly accepts. A query string is text by nature, so `from_text=True` takes a plain run of
    ASCII digits there, and nothing else."""

    def __init__(self, *, from_text: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.from_text = from_text

    def to_internal_value(self, data):
        is_integer = isinstance(data, int) and not isinstance(data, bool)
        is_digits = self.from_text and isinstance(data, str) and _DIGITS.match(data) is not None
        if not (is_integer or is_digits):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON boolean: refuses 0, 1 and "yes", which DRF's BooleanField quietly accepts."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


def validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
