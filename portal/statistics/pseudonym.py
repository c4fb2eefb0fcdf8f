"""A keyed pseudonym of a company's enterprise number (UID), so the statistics can count
companies once without keeping who they are.

"Companies controlled" counts each company once however many dossiers it has in the period,
and a past year's figure must not change when its dossiers are destroyed. So the facts rows,
live and kept, carry HMAC-SHA256 of the normalised UID (``CHE116281710``) under a dedicated
key (``STATISTICS_COMPANY_KEY``) instead of the UID: equal UIDs give equal pseudonyms, but
without the key nobody can tell which company a pseudonym stands for, not even by trying
every one of the roughly 10^8 valid UIDs. Dossiers without a UID count one company each.

PostgreSQL computes the same HMAC in the facts' upsert (``facts.UPSERT``) from the two
padded keys (RFC 2104) that :func:`hmac_pads` gives it as parameters; the key itself never
reaches the database.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

_BLOCK = 64  # SHA-256's block size in bytes


def company_key() -> bytes:
    """The key: ``STATISTICS_COMPANY_KEY``, or in development one derived from ``SECRET_KEY``
    (production settings require their own, like the other secrets)."""
    configured = getattr(settings, "STATISTICS_COMPANY_KEY", "") or ""
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"portal.statistics.company", hashlib.sha256).digest()


def company_pseudonym(uid: str) -> str | None:
    """HMAC-SHA256 of the normalised UID, in hex; ``None`` for a dossier without one."""
    if not uid:
        return None
    return hmac.new(company_key(), uid.encode(), hashlib.sha256).hexdigest()


def hmac_pads() -> dict[str, bytes]:
    """The inner and outer padded keys, as the upsert's SQL parameters ``ipad`` and ``opad``."""
    key = company_key()
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return {
        "ipad": bytes(byte ^ 0x36 for byte in key),
        "opad": bytes(byte ^ 0x5C for byte in key),
    }
