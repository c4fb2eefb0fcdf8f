"""Uploads through the API: one streamed request with a checksum, or a resumable session.

A single upload streams the request body through the portal's upload pipeline (hashed,
type-checked and encrypted as it arrives, see :mod:`portal.documents.uploads`) and is kept
only if its SHA-256 matches the ``Content-Digest`` header.

A resumable upload declares the file's size and SHA-256 first, then sends pieces in order,
each at the offset the server reports; every piece is stored encrypted under the session's
own key. Completing it runs the pieces through the same pipeline, checks size and checksum,
and stores the document; the pieces are deleted either way.
"""

from __future__ import annotations

import base64
import binascii
import re
import tempfile
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.api.models import UploadSession
from portal.api.problems import ApiError
from portal.documents.actions import storage
from portal.documents.crypto import StreamEncryptor, decrypt_stream, keyring, new_data_key
from portal.documents.uploads import EncryptedUpload, clean_file_name, encrypt_stream

DIGEST = re.compile(r"sha-256=:([A-Za-z0-9+/=]+):")
PIECE = 1024 * 1024


def declared_sha256(header: str | None) -> str:
    """The hex SHA-256 from an RFC 9530 ``Content-Digest: sha-256=:<base64>:`` header."""
    match = DIGEST.search(header or "")
    if not match:
        raise ApiError(
            400,
            "checksum_required",
            _("Send the file's SHA-256 as Content-Digest: sha-256=:<base64>: (RFC 9530)."),
        )
    try:
        raw = base64.b64decode(match.group(1), validate=True)
    except binascii.Error as error:
        raise ApiError(400, "checksum_required", _("The Content-Digest is not valid base64.")) from error
    if len(raw) != 32:
        raise ApiError(400, "checksum_required", _("A SHA-256 digest has 32 bytes."))
    return raw.hex()


def verified(upload: EncryptedUpload, sha256: str, size: int | None = None) -> EncryptedUpload:
    """``upload`` if it arrived intact and acceptable; otherwise discarded and an ``ApiError``."""
    if upload.refusal:
        upload.discard()
        status = 413 if upload.plain_size == 0 and "limit" in upload.refusal else 422
        raise ApiError(status, "file_refused", upload.refusal)
    if upload.sha256 != sha256 or (size is not None and upload.plain_size != size):
        upload.discard()
        raise ApiError(
            422,
            "checksum_mismatch",
            _(
                "The file arrived with SHA-256 %(got)s and %(size)s bytes, not as declared. Nothing was stored."
            )
            % {"got": upload.sha256, "size": upload.plain_size},
        )
    return upload


def receive(request, file_name: str) -> EncryptedUpload:
    """The request body as an upload, read piece by piece (never whole in memory)."""
    sha256 = declared_sha256(request.headers.get("Content-Digest"))
    return verified(encrypt_stream(request, file_name), sha256)


# --- Resumable sessions -----------------------------------------------------------------


def open_session(*, client, dossier, document, file_name, size, sha256, title, category) -> UploadSession:
    if size > settings.PORTAL_UPLOAD_MAX_BYTES:
        raise ApiError(413, "file_too_large", _("The file is larger than the limit."))
    key_id, wrapped = keyring().wrap(new_data_key())
    return UploadSession.objects.create(
        id=uuid.uuid4(),
        client=client,
        dossier=dossier,
        document=document,
        file_name=clean_file_name(file_name),
        title=title,
        category=category,
        size=size,
        sha256=sha256,
        key_id=key_id,
        wrapped_key=wrapped,
        expires_at=timezone.now() + timedelta(hours=settings.PORTAL_API_UPLOAD_HOURS),
    )


def session_for(client, session_id) -> UploadSession:
    session = UploadSession.objects.filter(
        pk=session_id, client=client, expires_at__gt=timezone.now()
    ).first()
    if session is None:
        raise ApiError(404, "not_found", _("No such upload (or it has expired)."))
    return session


def append(session: UploadSession, stream, offset: int, length: int) -> UploadSession:
    """Store the next piece; ``offset`` must be where the last one ended (409 otherwise)."""
    if offset != session.received:
        raise ApiError(
            409,
            "wrong_offset",
            _("The upload continues at byte %(offset)s.") % {"offset": session.received},
            headers={"Upload-Offset": str(session.received)},
        )
    if length <= 0 or session.received + length > session.size:
        raise ApiError(422, "piece_too_large", _("This piece would go beyond the declared size of the file."))
    name, left = _store_piece(session, stream, offset, length)
    if left:
        storage().delete(name)
        raise ApiError(400, "incomplete_piece", _("The piece ended before its Content-Length."))
    with transaction.atomic():
        locked = UploadSession.objects.select_for_update().get(pk=session.pk)
        if locked.received != offset:
            storage().delete(name)
            raise ApiError(409, "wrong_offset", _("Another piece arrived first."))
        locked.received += length
        locked.parts = [*locked.parts, name]
        locked.save(update_fields=["received", "parts"])
    return locked


def _store_piece(session: UploadSession, stream, offset: int, length: int) -> tuple[str, int]:
    """Encrypt ``length`` bytes of ``stream`` into storage; returns the stored name and bytes missing."""
    encryptor = StreamEncryptor(keyring().unwrap(session.key_id, session.wrapped_key))
    left = length
    with tempfile.TemporaryFile() as spool:
        spool.write(encryptor.header)
        while left:
            data = stream.read(min(PIECE, left))
            if not data:
                break
            left -= len(data)
            spool.write(encryptor.update(data))
        spool.write(encryptor.finish())
        spool.seek(0)
        name = storage().save(f"uploads/{session.pk.hex}/{offset:015d}.part", File(spool))
    return name, left


class _Pieces:
    """The session's pieces, decrypted one after the other, as one readable stream."""

    def __init__(self, session: UploadSession):
        self.key = keyring().unwrap(session.key_id, session.wrapped_key)
        self.names = list(session.parts)
        self.chunks = self._chunks()
        self.buffer = b""

    def _chunks(self):
        for name in self.names:
            with storage().open(name, "rb") as stored:
                yield from decrypt_stream(stored, self.key)

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.buffer += chunk
        if size < 0:
            out, self.buffer = self.buffer, b""
        else:
            out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out


def assemble(session: UploadSession) -> EncryptedUpload:
    """The completed file as an upload, verified against the declared size and checksum."""
    if session.received != session.size:
        raise ApiError(
            409,
            "upload_incomplete",
            _("%(received)s of %(size)s bytes have arrived.")
            % {"received": session.received, "size": session.size},
            headers={"Upload-Offset": str(session.received)},
        )
    return verified(encrypt_stream(_Pieces(session), session.file_name), session.sha256, session.size)


def close_session(session: UploadSession) -> None:
    names = list(session.parts)
    session.delete()
    transaction.on_commit(lambda: [storage().delete(name) for name in names])


def pieces_of(dossier) -> list[str]:
    """The stored pieces of every unfinished upload into ``dossier`` (destruction removes them)."""
    return [
        name
        for parts in UploadSession.objects.filter(dossier=dossier).values_list("parts", flat=True)
        for name in parts
    ]


def pieces_in_progress() -> set[str]:
    """The stored pieces of every open upload: the orphan sweep leaves them alone."""
    return {name for parts in UploadSession.objects.values_list("parts", flat=True) for name in parts}


def drop_expired() -> int:
    """Delete sessions past their expiry, with their pieces."""
    dropped = 0
    for session in UploadSession.objects.filter(expires_at__lte=timezone.now()):
        close_session(session)
        dropped += 1
    return dropped
