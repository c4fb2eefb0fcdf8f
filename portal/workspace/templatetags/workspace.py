"""The unread count next to "Inbox" in the navigation (see :mod:`portal.workspace.badge`)."""

from __future__ import annotations

from django import template

from portal.workspace.badge import inbox_badge

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_inbox(context) -> int:
    request = context.get("request")
    return inbox_badge(request) if request is not None else 0
