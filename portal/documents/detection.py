"""What a file is, judged from its first bytes by libmagic, never from its name."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass

import magic
from django.utils.translation import gettext_lazy as _

# Detected type -> the family shown to people. Anything else is refused.
ALLOWED: dict[str, str] = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.ms-powerpoint": "PowerPoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.oasis.opendocument.text": "OpenDocument",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument",
    "text/plain": "Text",
    "text/csv": "CSV",
    "text/html": "HTML",
    "message/rfc822": "E-mail",
    "application/vnd.ms-outlook": "Outlook",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/tiff": "TIFF",
}
# libmagic names OLE compound files (.doc, .xls, .msg) generically when the first bytes do
# not say which; the name may then pick among these, and only among these.
OLE_GENERIC = {"application/vnd.ms-office", "application/x-ole-storage", "application/CDFV2"}
OLE_SPECIFIC = {
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.ms-outlook",
}
PREVIEWABLE = {"application/pdf", "image/jpeg", "image/png"}
SNIFF_BYTES = 256 * 1024
_HEADER = re.compile(rb"[A-Za-z][A-Za-z0-9-]*: ")

mimetypes.add_type("application/vnd.ms-outlook", ".msg")


@dataclass(frozen=True)
class Detection:
    content_type: str
    label: str


class RefusedType(ValueError):
    pass


def detect(head: bytes, file_name: str) -> Detection:
    """The allowed type of a file starting with ``head``; ``RefusedType`` with a message otherwise."""
    detected = magic.from_buffer(head, mime=True) if head else "application/x-empty"
    if detected in OLE_GENERIC:
        guessed = mimetypes.guess_type(file_name)[0]
        detected = guessed if guessed in OLE_SPECIFIC else "application/msword"
    if detected == "text/plain" and file_name.lower().endswith(".csv"):
        detected = "text/csv"
    # libmagic reads an e-mail that starts with "Subject:" as text or HTML; a header line
    # first and the name together say more.
    if detected.startswith("text/") and file_name.lower().endswith(".eml") and _HEADER.match(head):
        detected = "message/rfc822"
    if detected not in ALLOWED:
        raise RefusedType(
            _(
                "“%(name)s” is not an accepted file type (it is %(detected)s). Accepted are PDF, "
                "Word, Excel, PowerPoint, OpenDocument, text, CSV, HTML, e-mails (EML, MSG), JPEG, PNG "
                "and TIFF."
            )
            % {"name": file_name, "detected": describe(detected)}
        )
    return Detection(detected, ALLOWED[detected])


def describe(content_type: str) -> str:
    if content_type == "application/x-empty":
        return _("empty")
    if content_type in {"application/x-dosexec", "application/x-executable", "application/x-sharedlib"}:
        return _("a program")
    if content_type in {"application/zip", "application/x-7z-compressed", "application/gzip"}:
        return _("an archive")
    return content_type
