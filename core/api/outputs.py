"""Output serializers: each response shape is defined once, by a serializer that both builds the answer
(`XOutput.of(obj)`) and documents it (drf-spectacular reads the same class)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.timestamps import epoch_ms


@extend_schema_field(OpenApiTypes.INT)
class EpochMsField(serializers.Field):
    """A datetime as epoch milliseconds, as the spec writes every timestamp (null stays null)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return epoch_ms(value)


class Output(serializers.Serializer):
    """A read-only response shape. Keys are the JSON names (camelCase); `source=` names the attribute."""

    @classmethod
    def of(cls, instance) -> dict | None:
        """The shape of one object (None for None)."""
        return None if instance is None else cls(instance).data

    @classmethod
    def many(cls, instances) -> list[dict]:
        return cls(instances, many=True).data


def with_json_name(serializer_class: type[Output], name: str, field: serializers.Field, *, after: str) -> None:
    """Declare a field under a JSON name Python cannot spell as an attribute (such as "async"), after `after`."""
    declared = serializer_class._declared_fields
    items = list(declared.items())
    position = [key for key, _ in items].index(after) + 1
    declared.clear()
    declared.update([*items[:position], (name, field), *items[position:]])


class RowsField(serializers.Field):
    """A list of rows a selector already shaped as plain dicts in one `values_list` query (file lists and
    manifests run to thousands of rows, where building each through a serializer would cost more than the query).
    Passed through as they are; `output` is their shape, in the schema, and tests hold the selector to it."""

    def __init__(self, output: type[Output], **kwargs):
        self.output = output
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return value
