"""Authenticated encryption of short secrets kept in the database (TOTP seeds).

AES-256-GCM with a key from ``PORTAL_SECRETS_KEY`` (32 bytes, base64). Where that is
unset (development and tests), the key is derived from ``SECRET_KEY`` with HKDF so a
fresh checkout works; production settings refuse to start without a real key.
"""

from __future__ import annotations

import base64
import functools
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_PREFIX = "v1:"


@functools.cache
def _key(configured: str | None, secret_key: str) -> bytes:
    if configured:
        key = base64.b64decode(configured)
        if len(key) != 32:
            raise ImproperlyConfigured("PORTAL_SECRETS_KEY must be 32 bytes, base64-encoded.")
        return key
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal-secrets").derive(
        secret_key.encode()
    )


def secrets_key() -> bytes:
    return _key(settings.PORTAL_SECRETS_KEY, settings.SECRET_KEY)


def encrypt_text(text: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(secrets_key()).encrypt(nonce, text.encode(), b"portal")
    return _PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt_text(token: str) -> str:
    if not token.startswith(_PREFIX):
        raise ValueError("Not an encrypted portal secret.")
    raw = base64.b64decode(token[len(_PREFIX) :])
    return AESGCM(secrets_key()).decrypt(raw[:12], raw[12:], b"portal").decode()
