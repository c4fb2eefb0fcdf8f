"""Adding documents and versions, reading them back, rotating keys, removing blobs."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.utils.translation import gettext as _

from portal.documents.crypto import decrypt_stream, keyring
from portal.documents.models import Category, Document, DocumentVersion
from portal.documents.uploads import EncryptedUpload
from portal.dossiers import events
from portal.dossiers.access import require_level
from portal.dossiers.journaling import journal
from portal.dossiers.levels import Level
from portal.dossiers.retention import touch
from portal.journal.models import Action


def storage():
    return storages["documents"]


def _new_blob_name() -> str:
    name = uuid.uuid4().hex
    return f"{name[:2]}/{name}.enc"


def _refusals(uploads: Sequence[EncryptedUpload]) -> list[str]:
    return [upload.refusal for upload in uploads if upload.refusal]


def _discard(uploads: Iterable[EncryptedUpload]) -> None:
    for upload in uploads:
        upload.discard()


@contextmanager
def _blobs_kept_only_on_success():
    """Yield a ``store(upload)`` function; if the block fails, what it stored is deleted again."""
    stored: list[str] = []

    def store(upload: EncryptedUpload) -> str:
        name = storage().save(_new_blob_name(), upload)
        stored.append(name)
        return name

    try:
        yield store
    except BaseException:
        for name in stored:
            storage().delete(name)
        raise


def _journal_version(dossier, action, document, version, upload, *, acting_user, acting_for, request):
    journal(
        dossier,
        action,
        actor=acting_user,
        acting_for=acting_for,
        request=request,
        object_type="document",
        object_id=document.pk,
        details={"version": version.number, "size": upload.plain_size, "sha256": upload.sha256},
    )
    events.document(document, version, actor=acting_user)


def _version(document: Document, number: int, upload: EncryptedUpload, blob: str, user) -> DocumentVersion:
    return DocumentVersion.objects.create(
        document=document,
        number=number,
        file_name=upload.name,
        blob=blob,
        size=upload.plain_size,
        content_type=upload.content_type,
        sha256=upload.sha256,
        key_id=upload.key_id,
        wrapped_key=upload.wrapped_key,
        uploaded_by=user,
    )


def add_documents(
    *,
    dossier,
    uploads: Sequence[EncryptedUpload],
    acting_user,
    category: str = Category.OTHER,
    title: str = "",
    message=None,
    request=None,
    acting_for=None,
) -> list[Document]:
    """Store ``uploads`` as new documents of ``dossier``, all or none.

    A refused file refuses the whole batch before anything is stored; a failure while
    storing removes what was already stored, so no row and no orphan blob is left.
    """
    try:
        require_level(acting_user, dossier, Level.CONTRIBUTE)
        if not uploads:
            raise ValidationError({"files": _("Choose at least one file.")})
        if refusals := _refusals(uploads):
            raise ValidationError({"files": refusals})
        if category not in Category.values:
            raise ValidationError({"category": _("Choose a category.")})
        with _blobs_kept_only_on_success() as store, transaction.atomic():
            documents = []
            for upload in uploads:
                blob = store(upload)
                document = Document.objects.create(
                    dossier=dossier,
                    title=(title if len(uploads) == 1 and title else upload.name)[:200],
                    category=category,
                    message=message,
                    created_by=acting_user,
                )
                document.current_version = _version(document, 1, upload, blob, acting_user)
                document.save(update_fields=["current_version"])
                documents.append(document)
                _journal_version(
                    dossier,
                    Action.CREATE,
                    document,
                    document.current_version,
                    upload,
                    acting_user=acting_user,
                    acting_for=acting_for,
                    request=request,
                )
            touch(dossier)
        return documents
    finally:
        _discard(uploads)


def add_version(*, document: Document, upload: EncryptedUpload, acting_user, request=None, acting_for=None):
    """Store ``upload`` as the next version of ``document``; earlier versions stay."""
    try:
        require_level(acting_user, document.dossier, Level.CONTRIBUTE)
        if upload.refusal:
            raise ValidationError({"file": upload.refusal})
        with _blobs_kept_only_on_success() as store, transaction.atomic():
            locked = (
                Document.objects.select_for_update(of=("self",)).select_related("dossier").get(pk=document.pk)
            )
            number = (locked.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
            version = _version(locked, number, upload, store(upload), acting_user)
            locked.current_version = version
            locked.save(update_fields=["current_version"])
            _journal_version(
                locked.dossier,
                Action.CHANGE,
                locked,
                version,
                upload,
                acting_user=acting_user,
                acting_for=acting_for,
                request=request,
            )
            touch(locked.dossier)
        return version
    finally:
        upload.discard()


def read_version(version: DocumentVersion) -> Iterator[bytes]:
    """The plaintext of ``version``, decrypted chunk by chunk as it is read."""
    data_key = keyring().unwrap(version.key_id, version.wrapped_key)
    with storage().open(version.blob, "rb") as stored:
        yield from decrypt_stream(stored, data_key)


def rotate_keys(*, batch: int = 500) -> int:
    """Re-wrap every data key not under the current master key. Files are not touched."""
    ring = keyring()
    rotated = 0
    while True:
        with transaction.atomic():
            versions = list(
                DocumentVersion.objects.exclude(key_id=ring.current_id)
                .select_for_update(skip_locked=True)
                .only("pk", "key_id", "wrapped_key")[:batch]
            )
            if not versions:
                return rotated
            for version in versions:
                version.key_id, version.wrapped_key = ring.wrap(
                    ring.unwrap(version.key_id, version.wrapped_key)
                )
            DocumentVersion.objects.bulk_update(versions, ["key_id", "wrapped_key"])
            rotated += len(versions)


def delete_blobs_on_commit(names: list[str]) -> None:
    def delete():
        for name in names:
            storage().delete(name)

    transaction.on_commit(delete)


def sweep_orphans(*, older_than: datetime) -> list[str]:
    """Delete stored files nothing refers to, in any folder at any depth: blobs left by a crash
    between storing and committing, pieces of uploads whose session is gone. Only files older
    than ``older_than`` go, so nothing being written right now is touched."""
    from portal.api.uploads import pieces_in_progress

    store = storage()
    pieces = pieces_in_progress()
    removed = []
    for folder, names in _folders(store, ""):
        blobs = (
            DocumentVersion.objects.filter(blob__startswith=f"{folder}/")
            if folder
            else DocumentVersion.objects.filter(blob__in=names)
        )
        known = set(blobs.values_list("blob", flat=True)) | pieces
        for name in names:
            if name not in known and store.get_modified_time(name) < older_than:
                store.delete(name)
                removed.append(name)
    return sorted(removed)


def _folders(store, folder: str) -> Iterator[tuple[str, list[str]]]:
    """Each folder of ``store`` below ``folder`` (itself included) with the names of its files."""
    directories, files = store.listdir(folder)
    prefix = f"{folder}/" if folder else ""
    yield folder, [prefix + name for name in files]
    for directory in directories:
        yield from _folders(store, prefix + directory)
