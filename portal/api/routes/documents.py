"""Documents: streamed upload with checksum, resumable upload, versions, streamed download."""

from __future__ import annotations

import base64
import uuid

from django.db import transaction
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from portal.api import uploads
from portal.api.api import errors
from portal.api.common import account, acting, client_of, dossier, need, organisation
from portal.api.problems import ApiError, Problem
from portal.api.schemas import CategoryName, DocumentDetail, DocumentOut, UploadIn, UploadOut, VersionOut
from portal.documents import actions
from portal.documents.models import Document, DocumentVersion
from portal.dossiers.journaling import journal
from portal.dossiers.levels import Level
from portal.journal.models import Action

router = Router(tags=["documents"])

BINARY_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    },
    "parameters": [
        {
            "in": "header",
            "name": "Content-Digest",
            "required": True,
            "schema": {"type": "string"},
            "description": "The file's SHA-256 as `sha-256=:<base64>:` (RFC 9530). Checked before anything is kept.",
        }
    ],
}


def version_data(v: DocumentVersion) -> dict:
    return {
        "number": v.number,
        "file_name": v.file_name,
        "size": v.size,
        "content_type": v.content_type,
        "sha256": v.sha256,
        "uploaded_at": v.uploaded_at,
    }


def document_data(d: Document, *, versions=None) -> dict:
    data = {
        "id": d.pk,
        "dossier_id": d.dossier_id,
        "title": d.title,
        "category": d.category,
        "message_id": d.message_id,
        "created_at": d.created_at,
        "current_version": version_data(d.current_version),
    }
    if versions is not None:
        data["versions"] = [version_data(v) for v in versions]
    return data


def _document(request, document_id: int, level: int) -> Document:
    """The document if the client may act on its dossier at ``level``.

    A document in a dossier the client may not see answers exactly like a missing one
    (not with the dossier's message), so its id tells nothing."""
    found = Document.objects.select_related("current_version").filter(pk=document_id).first()
    try:
        if found is None:
            raise Http404
        found.dossier = dossier(request, found.dossier_id, level)
    except Http404 as error:
        raise Http404(_("No document found.")) from error
    return found


class NewDocument(Schema):
    file_name: str = Field(min_length=1, max_length=200)
    title: str = Field("", max_length=200)
    category: CategoryName = CategoryName.OTHER


@router.get(
    "/dossiers/{dossier_id}/documents",
    response={200: list[DocumentOut], errors(): Problem},
    summary="List a dossier's documents",
)
def list_documents(request, dossier_id: int):
    need(request, "read")
    found = dossier(request, dossier_id, Level.VIEW)
    return [
        document_data(d)
        for d in found.documents.select_related("current_version").filter(current_version__isnull=False)
    ]


@router.post(
    "/dossiers/{dossier_id}/documents",
    response={201: DocumentOut, errors(): Problem},
    summary="Upload a document (streamed)",
    openapi_extra=BINARY_BODY,
)
def upload_document(request, dossier_id: int, params: Query[NewDocument], response: HttpResponse):
    """The request body is the file. Nothing is kept unless its SHA-256 matches `Content-Digest`."""
    need(request, "write")
    found = dossier(request, dossier_id, Level.CONTRIBUTE)
    upload = uploads.receive(request, params.file_name)
    (document,) = actions.add_documents(
        dossier=found,
        uploads=[upload],
        **acting(request),
        category=params.category.value,
        title=params.title,
    )
    response["Location"] = f"/api/v1/documents/{document.pk}"
    return Status(201, document_data(document))


@router.get(
    "/documents/{document_id}",
    response={200: DocumentDetail, errors(): Problem},
    summary="Read a document and its versions",
)
def read_document(request, document_id: int):
    need(request, "read")
    found = _document(request, document_id, Level.VIEW)
    return document_data(found, versions=found.versions.all())


@router.get(
    "/documents/{document_id}/content",
    response={200: None, errors(): Problem},
    summary="Download a document (streamed)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, decrypted as it streams",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download(request, document_id: int, version: int | None = None):
    """The current version, or `version`. `Content-Digest` carries its SHA-256."""
    need(request, "read")
    found = _document(request, document_id, Level.VIEW)
    chosen = found.current_version if version is None else found.versions.filter(number=version).first()
    if chosen is None:
        raise Http404(_("No such version."))
    journal(
        found.dossier,
        Action.DOWNLOAD,
        actor=account(request),
        acting_for=organisation(request),
        request=request,
        object_type="document",
        object_id=found.pk,
        details={"version": chosen.number, "api": True},
    )
    streamed = StreamingHttpResponse(actions.read_version(chosen), content_type=chosen.content_type)
    streamed["Content-Length"] = str(chosen.size)
    streamed["Content-Disposition"] = content_disposition_header(True, chosen.file_name)
    streamed["Content-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(chosen.sha256)).decode()}:"
    streamed["ETag"] = f'"{chosen.sha256}"'
    streamed["X-Content-Type-Options"] = "nosniff"
    streamed["Cache-Control"] = "private, no-store"
    return streamed


class NewVersion(Schema):
    file_name: str = Field(min_length=1, max_length=200)


@router.post(
    "/documents/{document_id}/versions",
    response={201: VersionOut, errors(): Problem},
    summary="Upload a new version (streamed)",
    openapi_extra=BINARY_BODY,
)
def upload_version(request, document_id: int, params: Query[NewVersion]):
    need(request, "write")
    found = _document(request, document_id, Level.CONTRIBUTE)
    upload = uploads.receive(request, params.file_name)
    created = actions.add_version(
        document=found,
        upload=upload,
        **acting(request),
    )
    return Status(201, version_data(created))


# --- Resumable uploads -------------------------------------------------------------------


def _session_data(session) -> dict:
    return {
        "id": str(session.pk),
        "dossier_id": session.dossier_id,
        "document_id": session.document_id,
        "file_name": session.file_name,
        "size": session.size,
        "received": session.received,
        "expires_at": session.expires_at,
    }


@router.post(
    "/dossiers/{dossier_id}/uploads",
    response={201: UploadOut, errors(): Problem},
    summary="Start a resumable upload",
)
def start_upload(request, dossier_id: int, payload: UploadIn, response: HttpResponse):
    """Declare the file (size, SHA-256); then send pieces with `PATCH /uploads/{id}`."""
    need(request, "write")
    found = dossier(request, dossier_id, Level.CONTRIBUTE)
    document = None
    if payload.document_id is not None:
        document = found.documents.filter(pk=payload.document_id).first()
        if document is None:
            raise Http404(_("No document found."))
    session = uploads.open_session(
        client=client_of(request),
        dossier=found,
        document=document,
        file_name=payload.file_name,
        size=payload.size,
        sha256=payload.sha256,
        title=payload.title,
        category=payload.category.value,
    )
    response["Location"] = f"/api/v1/uploads/{session.pk}"
    response["Upload-Offset"] = "0"
    return Status(201, _session_data(session))


@router.get(
    "/uploads/{upload_id}",
    response={200: UploadOut, errors(): Problem},
    summary="Where an upload stands",
)
def upload_state(request, upload_id: uuid.UUID, response: HttpResponse):
    need(request, "write")
    session = uploads.session_for(client_of(request), upload_id)
    response["Upload-Offset"] = str(session.received)
    return _session_data(session)


@router.patch(
    "/uploads/{upload_id}",
    response={200: UploadOut, errors(): Problem},
    summary="Send the next piece",
    openapi_extra={
        "requestBody": BINARY_BODY["requestBody"],
        "parameters": [
            {
                "in": "header",
                "name": "Upload-Offset",
                "required": True,
                "schema": {"type": "integer", "minimum": 0},
                "description": "Where this piece starts: the `received` of the upload.",
            }
        ],
    },
)
def upload_piece(request, upload_id: uuid.UUID, response: HttpResponse):
    need(request, "write")
    session = uploads.session_for(client_of(request), upload_id)
    dossier(request, session.dossier_id, Level.CONTRIBUTE)
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
        length = int(request.headers.get("Content-Length", ""))
    except ValueError as error:
        raise ApiError(
            400, "offset_required", _("Send Upload-Offset and Content-Length with each piece.")
        ) from error
    session = uploads.append(session, request, offset, length)
    response["Upload-Offset"] = str(session.received)
    return _session_data(session)


@router.post(
    "/uploads/{upload_id}/complete",
    response={201: DocumentOut, errors(): Problem},
    summary="Finish a resumable upload",
)
def complete_upload(request, upload_id: uuid.UUID, response: HttpResponse):
    """Checks size and SHA-256, then stores the document (or the new version)."""
    need(request, "write")
    session = uploads.session_for(client_of(request), upload_id)
    found = dossier(request, session.dossier_id, Level.CONTRIBUTE)
    upload = uploads.assemble(session)
    with transaction.atomic():
        if session.document_id:
            document = found.documents.get(pk=session.document_id)
            actions.add_version(
                document=document,
                upload=upload,
                **acting(request),
            )
            document.refresh_from_db()
        else:
            (document,) = actions.add_documents(
                dossier=found,
                uploads=[upload],
                **acting(request),
                category=session.category,
                title=session.title,
            )
        uploads.close_session(session)
    response["Location"] = f"/api/v1/documents/{document.pk}"
    return Status(201, document_data(Document.objects.select_related("current_version").get(pk=document.pk)))


@router.delete(
    "/uploads/{upload_id}",
    response={204: None, errors(): Problem},
    summary="Cancel an upload",
)
def cancel_upload(request, upload_id: uuid.UUID):
    need(request, "write")
    with transaction.atomic():
        uploads.close_session(uploads.session_for(client_of(request), upload_id))
    return Status(204, None)
