"""A dossier's documents as one ZIP, streamed while each file is decrypted.

Nothing is assembled in memory or on disk: ``stream_zip`` deflates each file's plaintext
as :func:`read_version` yields its 1 MiB chunks and writes sizes and checksums after the
data (ZIP64 where a file needs it), so memory stays flat whatever the files weigh.
Every document is journaled as downloaded before the first byte leaves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import PurePosixPath
from stat import S_IFREG

from django.db import transaction
from django.utils import timezone
from stream_zip import ZIP_AUTO, stream_zip

from portal.documents.actions import read_version
from portal.documents.models import Document
from portal.dossiers.access import require_level
from portal.dossiers.journaling import journal
from portal.dossiers.levels import Level
from portal.journal.models import Action

FILE_MODE = S_IFREG | 0o600


def archive_documents(dossier, document_ids: Iterable[int] | None = None) -> list[Document]:
    """The documents of ``dossier`` that go into its archive: all, or those of ``document_ids``."""
    documents = Document.objects.filter(dossier=dossier, current_version__isnull=False).select_related(
        "current_version"
    )
    if document_ids is not None:
        documents = documents.filter(pk__in=list(document_ids))
    return list(documents.order_by("created_at", "id"))


def member_names(documents: Iterable[Document]) -> list[str]:
    """One name per document, its file name, made unique with " (2)", " (3)" … like a desktop does."""
    taken: set[str] = set()
    names = []
    for document in documents:
        path = PurePosixPath(document.current_version.file_name or f"document-{document.pk}")
        name, number = path.name, 1
        while name.lower() in taken:
            number += 1
            name = f"{path.stem} ({number}){path.suffix}"
        taken.add(name.lower())
        names.append(name)
    return names


def stream_archive(
    *, dossier, documents: list[Document], acting_user, acting_for=None, request=None
) -> Iterator[bytes]:
    """Journal each document as downloaded, then return the ZIP's bytes as a lazy iterator."""
    require_level(acting_user, dossier, Level.VIEW)
    with transaction.atomic():
        for document in documents:
            journal(
                dossier,
                Action.DOWNLOAD,
                actor=acting_user,
                acting_for=acting_for,
                request=request,
                object_type="document",
                object_id=document.pk,
                details={"version": document.current_version.number, "archive": True},
            )
    now = timezone.localtime()
    return stream_zip(_members(documents, now))


def _members(documents: list[Document], now: datetime):
    for document, name in zip(documents, member_names(documents), strict=True):
        version = document.current_version
        yield name, now.replace(tzinfo=None), FILE_MODE, ZIP_AUTO(version.size), read_version(version)
