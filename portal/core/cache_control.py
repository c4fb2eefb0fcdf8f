"""Pages shown to a signed-in person carry case data: no browser or proxy may keep them.

Downloads already say ``no-store``; this does the same for every HTML answer to a signed-in
user, in one place, so a new page cannot forget it. Static files (answered by whitenoise
before this runs) and JSON answers such as ``/health/`` keep their own caching.
"""

from __future__ import annotations

from django.utils.cache import patch_cache_control


class NoStoreForSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
