"""The Swiss enterprise identification number (UID, CHE-123.456.789).

Stored normalised as ``CHE`` plus nine digits; accepted however people type it (with or
without separators, lower case, spaces). The ninth digit is a modulo-11 check digit
over the first eight with weights 5, 4, 3, 2, 7, 6, 5, 4.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4)
_SEPARATORS = re.compile(r"[\s.\-_/]")


def uid_check_digit(first_eight: str) -> int | None:
    """The check digit, or None where the eight digits can have none (remainder 10)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_eight, _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def normalise_uid(value: str) -> str:
    """``'che-116.281.710'`` → ``'CHE116281710'``; raises ValidationError with the reason."""
    compact = _SEPARATORS.sub("", value or "").upper()
    if compact.startswith("CHE"):
        compact = compact[3:]
    if not compact.isdigit() or len(compact) != 9:
        raise ValidationError(
            _("An enterprise number has the form CHE-123.456.789 (nine digits)."), code="uid_format"
        )
    if uid_check_digit(compact[:8]) != int(compact[8]):
        raise ValidationError(
            _("The check digit of this enterprise number is wrong; please check for a typing error."),
            code="uid_check_digit",
        )
    return "CHE" + compact


def format_uid(normalised: str) -> str:
    """``'CHE116281710'`` → ``'CHE-116.281.710'``."""
    if not normalised:
        return ""
    digits = normalised[3:]
    return f"CHE-{digits[:3]}.{digits[3:6]}.{digits[6:]}"


def uid_search_forms(normalised: str) -> list[str]:
    """Every usual typing of a UID, for search indexes."""
    if not normalised:
        return []
    digits = normalised[3:]
    return [
        normalised,
        format_uid(normalised),
        digits,
        f"CHE-{digits}",
        f"{digits[:3]}.{digits[3:6]}.{digits[6:]}",
    ]
