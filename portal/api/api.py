"""The exchange API under ``/api/v1/``: one NinjaAPI, its authentication and its error answers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.openapi.views import openapi_view
from ninja.security import HttpBearer

from portal.api.parser import PortalParser
from portal.api.problems import (
    ERROR_CODES,
    MEDIA_TYPE,
    ApiError,
    from_schema_errors,
    from_validation_error,
    problem_response,
)

TITLE = gettext_noop("Labour-market portal exchange API")
DESCRIPTION = gettext_noop("""
The interface for the execution bodies' case software (ordinance on the accompanying
measures, art. 13a). A client registered by an organisation's administrator acts for that
organisation within its scopes (`read`, `write`, `share`) and sees exactly what a member
of the organisation with the same level sees.

* **Authentication:** `POST /api/v1/oauth/token` with the client id and secret
  (client-credentials grant) returns a bearer token valid for 15 minutes.
* **Retries:** send an `Idempotency-Key` header on every POST; a retry with the same key
  returns the first answer (header `Idempotent-Replayed: true`) and creates nothing.
* **Concurrency:** `PATCH` and status changes take `If-Match` with the dossier's `ETag`;
  a stale write gets 412.
* **Errors:** RFC 9457 problem details (`application/problem+json`) with a stable `code`.
* **Sync:** `GET /api/v1/changes?since=<cursor>` lists every change your organisation may
  learn of, revocations and destructions included.
* **Figures:** `GET /api/v1/statistics` gives your organisation's figures of control
  activity, with the filters of the portal's statistics dashboard.
""")


def _docs_for_signed_in_users(view):
    """The schema is public (code generators need it); the interactive documentation is not."""
    return login_required(view) if getattr(view, "func", None) is openapi_view else view


class ClientBearer(HttpBearer):
    """The bearer token was checked by ``ApiMiddleware``; here it only becomes ``request.auth``."""

    def authenticate(self, request, token):
        return getattr(request, "api_client", None)


class PortalAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Error answers are ``application/problem+json``, as the handlers below send them."""
        schema = super().get_openapi_schema(*args, **kwargs)
        # Title and introduction in the caller's language (Accept-Language, or the portal's
        # language cookie for the documentation page), where the portal has the words.
        schema["info"]["title"] = _(TITLE)
        schema["info"]["description"] = _(DESCRIPTION)
        for path, operations in schema.get("paths", {}).items():
            oauth = path.endswith("/oauth/token")  # OAuth errors keep RFC 6749's JSON
            for operation in operations.values():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if oauth and int(code) in (400, 401, 403):
                        continue
                    if int(code) >= 400 and "application/json" in content:
                        content[MEDIA_TYPE] = content.pop("application/json")
        return schema


api = PortalAPI(
    title=TITLE,
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=ClientBearer(),
    docs_decorator=_docs_for_signed_in_users,
    parser=PortalParser(),
)


@api.exception_handler(ApiError)
def _api_error(request, error: ApiError):
    return problem_response(
        error.status, error.code, error.detail, errors=error.errors, headers=error.headers
    )


@api.exception_handler(SchemaValidationError)
def _schema_error(request, error: SchemaValidationError):
    errors = from_schema_errors(error.errors)
    detail = "; ".join(f"{field}: {message}" if field else message for field, message in errors)
    return problem_response(422, "invalid_request", detail or _("The request is not valid."), errors=errors)


@api.exception_handler(ValidationError)
def _validation_error(request, error: ValidationError):
    summary, errors = from_validation_error(error)
    return problem_response(422, "validation_failed", summary, errors=errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, error):
    return problem_response(
        401, "unauthenticated", _("Send a bearer token from /api/v1/oauth/token in the Authorization header.")
    )


@api.exception_handler(Http404)
def _not_found(request, error):
    return problem_response(404, "not_found", str(error) or _("Not found."))


@api.exception_handler(PermissionDenied)
def _forbidden(request, error):
    return problem_response(
        403, "level_too_low", _("Your organisation's access level on this dossier does not allow this.")
    )


@api.exception_handler(HttpError)
def _http_error(request, error: HttpError):
    if isinstance(error.__cause__, SchemaValidationError):  # a body the parser refused, see parser.py
        return _schema_error(request, error.__cause__)
    status = error.status_code
    code = {400: "bad_request", 405: "method_not_allowed"}.get(status, "error")
    return problem_response(status, code, str(error))


def errors(*codes: int) -> frozenset[int]:
    """The error answers an operation declares (all are problem details)."""
    return frozenset(codes or ERROR_CODES)


from portal.api.routes import (  # noqa: E402
    changes,
    directory,
    documents,
    dossiers,
    messages,
    oauth,
    search,
    sharing,
    statistics,
)

api.add_router("/oauth", oauth.router)
api.add_router("/dossiers", dossiers.router)
api.add_router("/", documents.router)
api.add_router("/dossiers", sharing.router)
api.add_router("/dossiers", messages.router)
api.add_router("/search", search.router)
api.add_router("/changes", changes.router)
api.add_router("/organisations", directory.router)
api.add_router("/statistics", statistics.router)
