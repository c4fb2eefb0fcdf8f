"""The idle timeout of sessions, without a database write on every request.

A session lives ``SESSION_COOKIE_AGE`` seconds from its last save. Saving it on every
request (``SESSION_SAVE_EVERY_REQUEST``) would make the idle timeout exact, at the price of
an UPDATE of ``django_session`` on each page, download and search. This middleware saves
it at most once per ``PORTAL_SESSION_REFRESH_SECONDS`` (one minute by default) instead:
a session then ends between ``SESSION_COOKIE_AGE - refresh`` and ``SESSION_COOKIE_AGE``
seconds after the last request, never later.
"""

from __future__ import annotations

import time

from django.conf import settings

REFRESHED = "portal.session_refreshed"


class IdleTimeoutMiddleware:
    """Push a signed-in session's expiry forward when its last save is older than the interval."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():  # no session, or just flushed by sign-out
            return response
        now = int(time.time())
        if session.modified or now - session.get(REFRESHED, 0) >= settings.PORTAL_SESSION_REFRESH_SECONDS:
            session[REFRESHED] = now  # saved by SessionMiddleware, with a new expiry
        return response
