"""The unread count next to "Inbox" in the navigation, kept in the session for a minute.

Every page shows it, so counting on every request would add a query to every page (and to
every search). The count is taken at most once per ``FRESH_SECONDS`` per organisation and
kept in the session, which is read on each request anyway; opening the inbox forgets it.
A share that arrives meanwhile shows in the badge within the minute, and at once in the
inbox and on the home page, which count exactly.
"""

from __future__ import annotations

import time

from portal.workspace.selectors import unread_inbox_count

KEY = "portal.inbox_badge"
FRESH_SECONDS = 60


def inbox_badge(request) -> int:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.organisation is None or not request.user.is_authenticated:
        return 0
    now = int(time.time())
    kept = request.session.get(KEY)
    if kept and kept[0] == tenant.organisation.pk and now - kept[2] < FRESH_SECONDS:
        return kept[1]
    count = unread_inbox_count(request.user, tenant.organisation)
    request.session[KEY] = [tenant.organisation.pk, count, now]
    return count


def forget_inbox_badge(request) -> None:
    request.session.pop(KEY, None)
