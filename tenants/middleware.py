from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from tenants import context


class ActiveOrganisationMiddleware:
    """Attach ``request.tenant`` (a :class:`tenants.context.TenantContext`), resolved on first use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = SimpleLazyObject(lambda: context.resolve(request))
        return self.get_response(request)
