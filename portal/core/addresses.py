"""The address of the person or program behind a request, for journal, lockout and API networks.

Behind the documented TLS proxy, ``REMOTE_ADDR`` is the proxy. Each of the
``PORTAL_PROXY_COUNT`` proxies in front appends the address it saw to
``X-Forwarded-For``, so the client is the entry that many places from the right;
anything further left was written by the client and is ignored. Without proxies the
header is not looked at. One function, so journal entries, django-axes
(``AXES_CLIENT_IP_CALLABLE``) and the API's allowed networks always agree.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "PORTAL_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote  # not through every proxy: only the connection's address is known
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
