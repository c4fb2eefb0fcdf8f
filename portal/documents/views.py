"""Document pages: list and upload, versions, download and preview.

Upload views check the person's level *before* the request body is read, then parse it
with :class:`EncryptingUploadHandler`, so bytes from someone without access are never
stored and plaintext never touches the disk.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
    UnreadablePostError,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from portal.documents import actions, archive
from portal.documents.forms import UploadForm, VersionForm
from portal.documents.models import Document, DocumentVersion
from portal.documents.uploads import EncryptingUploadHandler
from portal.dossiers.access import access_dossier
from portal.dossiers.journaling import journal
from portal.dossiers.levels import Level
from portal.dossiers.views import acting_for, tab_context
from portal.journal.models import Action
from search.extract import describe as describe_text

UPLOAD_ERRORS = "documents/_upload_errors.html"


def streamed_upload(view):
    """Authorise on the URL, then let the encrypting handler read the body, then check CSRF."""

    @csrf_exempt
    @login_required
    @wraps(view)
    def wrapped(request, pk: int, *args, **kwargs):
        dossier = access_dossier(request.user, pk, Level.VIEW)
        if request.method == "POST":
            access_dossier(request.user, pk, Level.CONTRIBUTE)
            handler = EncryptingUploadHandler(request)
            request.upload_handlers = [handler]
            try:
                request.FILES  # noqa: B018 - parse the body now, under our handler
            except UnreadablePostError:
                handler.upload_interrupted()
                return HttpResponseBadRequest(_("The upload was interrupted. Nothing was stored."))
        return csrf_protect(view)(request, dossier, *args, **kwargs)

    return wrapped


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _discard_files(request) -> None:
    for upload in request.FILES.values():
        upload.discard()


def _document(dossier, document_id: int) -> Document:
    document = (
        Document.objects.filter(pk=document_id, dossier=dossier).select_related("current_version").first()
    )
    if document is None:
        raise Http404(_("No document found."))
    return document


@streamed_upload
def document_list(request, dossier):
    # Files are read from request.FILES, one list; bound on every POST, even one with only files.
    form = UploadForm(request.POST if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            documents = actions.add_documents(
                dossier=dossier,
                uploads=request.FILES.getlist("files"),
                acting_user=request.user,
                acting_for=acting_for(request, dossier),
                category=form.cleaned_data["category"],
                title=form.cleaned_data["title"],
                request=request,
            )
        except ValidationError as error:
            _discard_files(request)
            errors = error.messages
            if _wants_json(request):
                # The same markup as the page without JavaScript shows, placed in the same spot.
                html = render_to_string(UPLOAD_ERRORS, {"errors": errors}, request=request)
                return JsonResponse({"ok": False, "errors": errors, "html": html}, status=400)
        else:
            names = ", ".join(document.current_version.file_name for document in documents)
            text = ngettext(
                "%(count)d document added: %(names)s", "%(count)d documents added: %(names)s", len(documents)
            ) % {"count": len(documents), "names": names}
            messages.success(request, text)
            if _wants_json(request):
                return JsonResponse(
                    {
                        "ok": True,
                        "message": text,
                        "redirect": reverse("dossiers:documents", args=[dossier.pk]),
                    }
                )
            return redirect("dossiers:documents", dossier.pk)
    documents = (
        Document.objects.filter(dossier=dossier)
        .select_related("current_version", "created_by")
        .order_by("-created_at", "-id")
    )
    return render(
        request,
        "documents/list.html",
        tab_context(request, dossier, "documents", documents=documents, form=form, upload_errors=errors),
        status=400 if errors else 200,
    )


@streamed_upload
def document_detail(request, dossier, document_id: int):
    document = _document(dossier, document_id)
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError(_("Choose a file."))
            actions.add_version(
                document=document,
                upload=upload,
                acting_user=request.user,
                acting_for=acting_for(request, dossier),
                request=request,
            )
        except ValidationError as error:
            _discard_files(request)
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The new version has been added; earlier ones are kept."))
            return redirect("dossiers:document", dossier.pk, document.pk)
    versions = list(document.versions.select_related("uploaded_by", "extracted"))
    for version in versions:
        version.search_status = describe_text(getattr(version, "extracted", None))
    return render(
        request,
        "documents/detail.html",
        tab_context(request, dossier, "documents", document=document, versions=versions, form=form),
    )


def _stream(request, pk: int, document_id: int, number: int, *, inline: bool):
    dossier = access_dossier(request.user, pk, Level.VIEW)
    version = (
        DocumentVersion.objects.filter(document_id=document_id, document__dossier=dossier, number=number)
        .select_related("document")
        .first()
    )
    if version is None or (inline and not version.previewable):
        raise Http404(_("No document found."))
    journal(
        dossier,
        Action.DOWNLOAD,
        actor=request.user,
        acting_for=acting_for(request, dossier),
        request=request,
        object_type="document",
        object_id=version.document_id,
        details={"version": version.number, "preview": inline},
    )
    response = StreamingHttpResponse(actions.read_version(version), content_type=version.content_type)
    response["Content-Length"] = str(version.size)
    response["Content-Disposition"] = content_disposition_header(not inline, version.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@login_required
def download(request, pk: int, document_id: int, number: int):
    return _stream(request, pk, document_id, number, inline=False)


@never_cache
@login_required
def preview(request, pk: int, document_id: int, number: int):
    return _stream(request, pk, document_id, number, inline=True)


@never_cache
@login_required
def download_archive(request, pk: int):
    """The whole dossier, or the documents ticked (``?documents=<id>``), as one streamed ZIP."""
    dossier = access_dossier(request.user, pk, Level.VIEW)
    chosen = request.GET.getlist("documents")
    ids = [int(value) for value in chosen if value.isdigit()] if chosen else None
    documents = archive.archive_documents(dossier, ids)
    if not documents:
        messages.error(request, _("Select at least one document."))
        return redirect("dossiers:documents", dossier.pk)
    response = StreamingHttpResponse(
        archive.stream_archive(
            dossier=dossier,
            documents=documents,
            acting_user=request.user,
            acting_for=acting_for(request, dossier),
            request=request,
        ),
        content_type="application/zip",
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{dossier.reference}.zip")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
