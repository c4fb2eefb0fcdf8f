"""Refuse the CMS plainly to signed-in people without editing rights.

Wagtail sends anyone without admin access to its login URL; since that is the portal's
own sign-in, a signed-in member would bounce between the two forever. They get a 403
page instead; anonymous visitors still go to the sign-in page.
"""

from __future__ import annotations

import contextlib

from django.core.exceptions import PermissionDenied

CMS_PREFIX = "/cms/"


class CMSAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path.startswith(CMS_PREFIX):
            return None
        user = request.user
        if user.is_authenticated:
            from portal.knowledge.editors import sync

            sync(user)  # rights follow today's memberships, not yesterday's sign-in
            for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
                with contextlib.suppress(AttributeError):
                    delattr(user, cache)
        if user.is_authenticated and not user.has_perm("wagtailadmin.access_admin"):
            raise PermissionDenied
        return None
