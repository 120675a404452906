from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _has_lone_surrogate(value) -> bool:
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


class StrictJSONParser(JSONParser):
    """JSON whose strings are real Unicode text.

    Python's json module accepts escapes of lone surrogates ("\\ud800") that no database or encoder can store;
    refusing them here, once, keeps every view and service from meeting them as a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            surrogate = _has_lone_surrogate(data)
        except RecursionError as exc:
            raise ParseError("JSON is nested too deeply.") from exc
        if surrogate:
            raise ParseError("JSON strings must be valid Unicode (found a lone surrogate escape).")
        return data
