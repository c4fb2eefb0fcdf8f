"""Streaming uploads: hashed, typed and encrypted as the bytes arrive.

:class:`EncryptingUploadHandler` replaces Django's handlers on the upload views. Each file
goes straight into a temporary file holding only ciphertext, at most one chunk of
plaintext is ever in memory, and the SHA-256 and the first bytes for type detection are
taken on the way. A file over the size limit or of a refused type comes out as an
:class:`EncryptedUpload` with a ``refusal`` message and no content, so the view can say
what went wrong without having stored anything.
"""

from __future__ import annotations

import contextlib
import hashlib

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from portal.documents.crypto import StreamEncryptor, keyring, new_data_key
from portal.documents.detection import SNIFF_BYTES, RefusedType, detect


def clean_file_name(name: str | None) -> str:
    """The name a file is kept under, however it arrived (page, API, command).

    As Django's request parser does for the pages: no folders, no characters that do not
    print (bidi controls such as U+202E, which make ``rechnung<U+202E>fdp.exe`` read as
    ``rechnungexe.pdf``, zero-width marks, control characters); at most 200 characters.
    """
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable()).strip()
    if name in {"", ".", ".."}:
        return "document"
    return name[:200]


class EncryptedUpload(TemporaryUploadedFile):
    """An uploaded file whose temporary file holds its ciphertext."""

    def __init__(self, name: str):
        super().__init__(name, "application/octet-stream", 0, None)
        self.plain_size = 0
        self.sha256 = ""
        self.key_id = ""
        self.wrapped_key = ""
        self.detected_label = ""
        self.refusal: str | None = None

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.close()


class EncryptingUploadHandler(FileUploadHandler):
    def __init__(self, request=None, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = max_bytes if max_bytes is not None else settings.PORTAL_UPLOAD_MAX_BYTES
        self.current: EncryptedUpload | None = None

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.current = EncryptedUpload(clean_file_name(file_name))
        self._data_key = new_data_key()
        self._encryptor = StreamEncryptor(self._data_key)
        self._hash = hashlib.sha256()
        self._head = bytearray()
        self._size = 0
        self.current.file.write(self._encryptor.header)

    def receive_data_chunk(self, raw_data, start):
        upload = self.current
        if upload.refusal:
            return None
        self._size += len(raw_data)
        if self._size > self.max_bytes:
            self._refuse(
                _("“%(name)s” is larger than the limit of %(limit)s.")
                % {"name": upload.name, "limit": filesizeformat(self.max_bytes)}
            )
            return None
        if len(self._head) < SNIFF_BYTES:
            self._head += raw_data[: SNIFF_BYTES - len(self._head)]
            if len(self._head) >= SNIFF_BYTES and not self._check_type():
                return None
        self._hash.update(raw_data)
        upload.file.write(self._encryptor.update(raw_data))
        return None

    def _check_type(self) -> bool:
        try:
            detection = detect(bytes(self._head), self.current.name)
        except RefusedType as refusal:
            self._refuse(str(refusal))
            return False
        self.current.content_type = detection.content_type
        self.current.detected_label = detection.label
        return True

    def _refuse(self, message: str) -> None:
        upload = self.current
        upload.refusal = message
        upload.file.seek(0)
        upload.file.truncate()

    def file_complete(self, file_size):
        upload, self.current = self.current, None
        if upload is None:
            return None
        if not upload.refusal and self._size == 0:
            upload.refusal = _("“%(name)s” is empty.") % {"name": upload.name}
        if not upload.refusal and len(self._head) < SNIFF_BYTES:
            self.current = upload
            self._check_type()
            self.current = None
        if upload.refusal:
            upload.file.truncate(0)
            upload.size = 0
            return upload
        upload.file.write(self._encryptor.finish())
        upload.file.flush()
        upload.size = upload.file.tell()
        upload.file.seek(0)
        upload.plain_size = self._size
        upload.sha256 = self._hash.hexdigest()
        upload.key_id, upload.wrapped_key = keyring().wrap(self._data_key)
        return upload

    @property
    def file(self):
        """The file being received (Django's parser closes it when it stops an upload)."""
        return self.current.file if self.current is not None else _NOTHING

    def upload_interrupted(self):
        if self.current is not None:
            self.current.discard()
            self.current = None


class _Nothing:
    def close(self):
        pass


_NOTHING = _Nothing()


def encrypt_stream(
    stream, name: str, *, max_bytes: int | None = None, piece: int = 64 * 1024
) -> EncryptedUpload:
    """Run a file-like object through the same pipeline as an HTTP upload (API, commands, demo)."""
    handler = EncryptingUploadHandler(max_bytes=max_bytes)
    handler.new_file("file", name, "application/octet-stream", None)
    position = 0
    while data := stream.read(piece):
        handler.receive_data_chunk(data, position)
        position += len(data)
    return handler.file_complete(position)
