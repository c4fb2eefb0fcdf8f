"""The unread count next to "Inbox" in the navigation: one query, on pages that show it."""

from __future__ import annotations

from django import template

from portal.workspace.selectors import unread_inbox_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_inbox(context) -> int:
    request = context.get("request")
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.organisation is None or not request.user.is_authenticated:
        return 0
    return unread_inbox_count(request.user, tenant.organisation)
