"""What a file is, judged from its first bytes by libmagic, never from its name."""

from __future__ import annotations

import mimetypes
import os
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
# The extensions of the allowed types, and which detected types may carry them: libmagic
# cannot always tell text from CSV (or an e-mail without headers) nor one Office format
# from another, and one image for another is harmless.
EXTENSIONS: dict[str, str] = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".dot": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".msg": "application/vnd.ms-outlook",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/plain",
    ".csv": "text/csv",
    ".tsv": "text/csv",
    ".eml": "message/rfc822",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}
KINDS = {
    "text": {"text/plain", "text/csv", "message/rfc822"},
    # A password-protected .docx or .xlsx is an OLE container, detected as a binary format.
    "office": OLE_SPECIFIC | {t for t in ALLOWED if t.startswith("application/vnd.openxmlformats")},
    "image": {"image/jpeg", "image/png", "image/tiff"},
}
# Extensions a computer runs or renders when the file is opened, whether or not the
# system's type table knows them: never kept on a file of another type.
ACTIVE_EXTENSIONS = {
    ".bat",
    ".cmd",
    ".com",
    ".cpl",
    ".exe",
    ".hta",
    ".htm",
    ".html",
    ".jar",
    ".js",
    ".jse",
    ".lnk",
    ".mht",
    ".msi",
    ".pif",
    ".ps1",
    ".reg",
    ".scr",
    ".svg",
    ".url",
    ".vbe",
    ".vbs",
    ".wsf",
    ".wsh",
    ".xht",
    ".xhtml",
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
                "Word, Excel, PowerPoint, OpenDocument, text, CSV, e-mails (EML, MSG), JPEG, PNG "
                "and TIFF."
            )
            % {"name": file_name, "detected": describe(detected)}
        )
    _check_name(file_name, detected)
    return Detection(detected, ALLOWED[detected])


def _kind(content_type: str) -> str:
    return next((kind for kind, members in KINDS.items() if content_type in members), content_type)


def _check_name(file_name: str, detected: str) -> None:
    """Refuse a name whose extension says another type than the content (``x.pdf`` holding
    text): a name is kept as it came, so it must not make the reader's computer open the
    file with the wrong program. A name without an extension, or with one nobody knows,
    says nothing and is kept."""
    extension = os.path.splitext(file_name.lower())[1]
    if not extension:
        return
    guessed = mimetypes.guess_type(file_name)[0]
    named = EXTENSIONS.get(extension) or (guessed if guessed in ALLOWED else None)
    active = extension in ACTIVE_EXTENSIONS
    if named is None and guessed is None and not active:
        return
    if named is not None and _kind(named) == _kind(detected) and not active:
        return
    named_label = ALLOWED[named] if named is not None and not active else extension
    raise RefusedType(
        _(
            "“%(name)s” is named like a %(named)s file, but its content is %(content)s. Give it a "
            "name that matches its content (or choose the right file)."
        )
        % {"name": file_name, "named": named_label, "content": ALLOWED[detected]}
    )


def describe(content_type: str) -> str:
    if content_type == "application/x-empty":
        return _("empty")
    if content_type in {"application/x-dosexec", "application/x-executable", "application/x-sharedlib"}:
        return _("a program")
    if content_type in {"application/zip", "application/x-7z-compressed", "application/gzip"}:
        return _("an archive")
    if content_type in {"text/html", "application/xhtml+xml"}:
        return _("a web page (HTML)")
    return content_type
