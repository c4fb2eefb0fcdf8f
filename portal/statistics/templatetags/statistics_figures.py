"""``{{ value|figure }}``: a figure as the tables show it (a dash for none, "< 3" when suppressed)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from portal.statistics.presentation import Small

register = template.Library()


@register.filter
def figure(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, Small):
        return str(value)
    if isinstance(value, Decimal):
        return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    if isinstance(value, float):
        return number_format(value, decimal_pos=1, use_l10n=True)
    return number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def get(mapping, key):
    return mapping.get(key)
