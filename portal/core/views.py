from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@login_required
def home(request):
    return render(request, "portal/home.html", {"memberships": request.tenant.memberships})


@never_cache
@require_GET
def health(request):
    """For load balancers: 200 when the database answers, 503 otherwise. Reveals nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: database unreachable")
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers and feed readers ask for /favicon.ico whatever the pages link: send them to the icon."""
    return HttpResponseRedirect(static("portal/favicon.ico"))


def not_found(request, **kwargs):
    """For addresses a library serves that must not exist here (see ``portal/urls.py``)."""
    raise Http404
