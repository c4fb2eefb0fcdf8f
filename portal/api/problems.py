"""Errors as RFC 9457 problem details, each with a stable ``code`` a program can rely on.

``type`` is ``urn:lmp:problem:<code>``; the README lists every code. ``errors`` names the
fields of a request that failed validation, each with a message for people.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    422: "Unprocessable Content",
    428: "Precondition Required",
    429: "Too Many Requests",
}
ERROR_CODES = frozenset({400, 401, 403, 404, 409, 412, 413, 422, 428, 429})
MEDIA_TYPE = "application/problem+json"


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    type: str
    title: str
    status: int
    code: str
    detail: str
    errors: list[FieldError] = []


class ApiError(Exception):
    """Raise from an endpoint to answer with a problem."""

    def __init__(self, status: int, code: str, detail: str, *, errors=None, headers=None):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.errors = errors or []
        self.headers = headers or {}


def problem_response(status: int, code: str, detail: str, *, errors=(), headers=None) -> HttpResponse:
    body = {
        "type": f"urn:lmp:problem:{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "code": code,
        "detail": str(detail),
        "errors": [{"field": field, "message": str(message)} for field, message in errors],
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    if status == 401:
        response.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    return response


def from_validation_error(error) -> tuple[str, list[tuple[str, str]]]:
    """A Django ``ValidationError`` as a summary and per-field messages."""
    if hasattr(error, "error_dict"):
        errors = [
            (field if field != "__all__" else "", message)
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        errors = [("", message) for message in error.messages]
    summary = " ".join(message for _field, message in errors) or _("The request is not valid.")
    return summary, errors


def from_schema_errors(errors) -> list[tuple[str, str]]:
    """django-ninja's (pydantic's) validation errors as field paths and messages."""
    out = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        if location and location[0] in ("body", "query", "path", "header", "form", "file"):
            location = location[1:]
        if location and location[0] in ("payload", "filters", "params"):
            location = location[1:]
        out.append((".".join(location), error.get("msg", "")))
    return out
