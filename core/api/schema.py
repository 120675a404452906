"""OpenAPI pieces drf-spectacular cannot infer: the API key scheme, and the shape of selector-built rows."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A Stage API key: `Authorization: Bearer <key>`."}


class RowsFieldSchema(OpenApiSerializerFieldExtension):
    """A RowsField is documented as an array of its output serializer."""

    target_class = "core.api.outputs.RowsField"

    def map_serializer_field(self, auto_schema, direction):
        component = auto_schema.resolve_serializer(self.target.output, direction)
        return {"type": "array", "items": component.ref}
