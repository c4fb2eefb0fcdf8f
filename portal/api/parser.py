"""How the API reads a call's query, form and JSON body, refusing text the database cannot store.

PostgreSQL's text types refuse the NUL character (U+0000), and UTF-8 has no encoding for a
lone surrogate (U+D800 to U+DFFF without its pair, which JSON can spell as ``"\\ud800"``).
Whatever the field, such a string would only fail in the database, with a server error. So
every string django-ninja reads from a call (query parameters, form fields, JSON members and
their names) is checked here, once, before any schema sees it, and refused with the usual
422 ``invalid_request`` naming each field. Path parameters are numbers or UUIDs.

The pages need no such step: every Django ``forms.CharField`` refuses NUL itself, and form
bodies are decoded with replacement characters, so no lone surrogate survives them.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from ninja.errors import ValidationError
from ninja.parser import Parser

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> bool:
    return UNSTORABLE.search(text) is None


def unstorable_paths(data, path: tuple = ()) -> list[tuple]:
    """Where in ``data`` (JSON-like: dicts, lists, strings) a string the database cannot store sits."""
    if isinstance(data, str):
        return [] if storable(data) else [path]
    found: list[tuple] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and not storable(key):
                found.append((*path, key))
            else:
                found += unstorable_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found += unstorable_paths(item, (*path, index))
    return found


def unstorable_message() -> str:
    return _(
        "This text contains a character that cannot be stored (NUL, U+0000, or a lone "
        "surrogate). Remove it and send the request again."
    )


def refuse_unstorable(data, source: str) -> None:
    """Raise django-ninja's ValidationError (answered as 422) naming every unstorable string."""
    paths = unstorable_paths(data)
    if paths:
        message = unstorable_message()
        raise ValidationError(
            [{"loc": (source, *p), "msg": message, "type": "unstorable_text"} for p in paths]
        )


class PortalParser(Parser):
    """django-ninja's JSON and query parser, with the check above."""

    def parse_body(self, request):
        data = super().parse_body(request)
        # django-ninja answers any exception of this method with 400 "Cannot parse request
        # body", chained to it; the API's handler for that answer unwraps this refusal.
        refuse_unstorable(data, "body")
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        if data is request.GET:
            refuse_unstorable(result, "query")
        elif data is request.POST:
            refuse_unstorable(result, "form")
        return result
