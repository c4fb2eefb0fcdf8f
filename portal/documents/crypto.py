"""Encryption of stored documents: AES-256-GCM, a data key per file, wrapped by a master key.

File format (chunked AEAD, so downloads decrypt as they stream and every chunk is
authenticated before a byte of it is released)::

    header  = b"PDOC1" + nonce_prefix (7 random bytes)
    chunk_i = AESGCM(data_key).encrypt(nonce_prefix + i (4 bytes) + last (1 byte), plaintext_i, header)

Plaintext chunks are ``CHUNK`` bytes except the last, which may be shorter or empty; the
"last" flag in the nonce makes truncation after a full chunk detectable.

The data key is wrapped with the current master key from ``PORTAL_FILE_KEYS``. Rotating the
master key re-wraps data keys only; the files themselves are never rewritten.
"""

from __future__ import annotations

import base64
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MAGIC = b"PDOC1"
HEADER_SIZE = len(MAGIC) + 7
CHUNK = 1024 * 1024
TAG = 16


class DecryptionError(Exception):
    """The stored bytes are not what was encrypted (tampered, truncated or wrong key)."""


@dataclass(frozen=True)
class Keyring:
    current_id: str
    keys: dict[str, bytes]

    def wrap(self, data_key: bytes) -> tuple[str, str]:
        nonce = os.urandom(12)
        sealed = AESGCM(self.keys[self.current_id]).encrypt(nonce, data_key, self.current_id.encode())
        return self.current_id, base64.b64encode(nonce + sealed).decode()

    def unwrap(self, key_id: str, wrapped: str) -> bytes:
        if key_id not in self.keys:
            raise DecryptionError(f"Master key {key_id!r} is not configured.")
        raw = base64.b64decode(wrapped)
        return AESGCM(self.keys[key_id]).decrypt(raw[:12], raw[12:], key_id.encode())


def parse_keys(entries: list[str]) -> Keyring:
    keys: dict[str, bytes] = {}
    for entry in entries:
        key_id, _sep, encoded = entry.partition(":")
        key = base64.b64decode(encoded) if encoded else b""
        if not key_id or len(key) != 32:
            raise ImproperlyConfigured("PORTAL_FILE_KEYS entries must be id:base64 of 32 bytes.")
        keys[key_id.strip()] = key
    return Keyring(current_id=next(iter(keys)), keys=keys)


@functools.cache
def _keyring(entries: tuple[str, ...], secret_key: str) -> Keyring:
    if entries:
        return parse_keys(list(entries))
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal-files").derive(
        secret_key.encode()
    )
    return Keyring(current_id="dev", keys={"dev": derived})


def keyring() -> Keyring:
    return _keyring(tuple(settings.PORTAL_FILE_KEYS), settings.SECRET_KEY)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class StreamEncryptor:
    """Feed plaintext in pieces of any size; collect ciphertext pieces; ``finish()`` once."""

    def __init__(self, data_key: bytes):
        self._aead = AESGCM(data_key)
        self._prefix = os.urandom(7)
        self.header = MAGIC + self._prefix
        self._buffer = bytearray()
        self._index = 0

    def _seal(self, piece: bytes, last: bool) -> bytes:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._index, last), piece, self.header)
        self._index += 1
        return sealed

    def update(self, data: bytes) -> bytes:
        self._buffer += data
        out = bytearray()
        # Keep at least one byte back so the final chunk is always sealed by finish().
        while len(self._buffer) > CHUNK:
            out += self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return bytes(out)

    def finish(self) -> bytes:
        out = self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        return out


def decrypt_stream(stream, data_key: bytes) -> Iterator[bytes]:
    """Yield the plaintext of the encrypted file-like ``stream``, chunk by chunk."""
    header = stream.read(HEADER_SIZE)
    if len(header) != HEADER_SIZE or not header.startswith(MAGIC):
        raise DecryptionError("Not an encrypted portal document.")
    aead, prefix = AESGCM(data_key), header[len(MAGIC) :]
    block, index = stream.read(CHUNK + TAG), 0
    while True:
        following = stream.read(CHUNK + TAG) if len(block) == CHUNK + TAG else b""
        last = not following
        try:
            yield aead.decrypt(_nonce(prefix, index, last), block, header)
        except Exception as error:
            raise DecryptionError(f"Chunk {index} does not authenticate.") from error
        if last:
            return
        block, index = following, index + 1


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)
