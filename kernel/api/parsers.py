"""The API's JSON parser: DRF's, with a bound on nesting (issue 16, item 8).

Python's JSON decoder recurses once per level, so 50,000 ``[`` raised ``RecursionError`` (a
500) and a few hundred levels passed the parser only to overflow the code walking the data
later (the ingestion's NUL check, the properties encoder). Both are a JSON 400 here, before any
view sees the data: every DRF view parses through this class (``DEFAULT_PARSER_CLASSES``)."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from kernel.bounds import MAX_JSON_DEPTH, json_depth_exceeds


def _too_deep() -> ParseError:
    return ParseError(
        _("JSON parse error - arrays and objects nest deeper than %(limit)s levels.")
        % {"limit": MAX_JSON_DEPTH}
    )


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        if json_depth_exceeds(data):
            raise _too_deep()
        return data
