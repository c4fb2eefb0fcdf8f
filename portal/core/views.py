from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from portal.workspace import selectors as workspace
from portal.workspace.actions import record_visit
from portal.workspace.badge import forget_inbox_badge

logger = logging.getLogger(__name__)


@login_required
def home(request):
    """The workspace: what a person comes for, each block one bounded read (``portal.workspace``)."""
    user, organisation = request.user, request.tenant.organisation
    since = record_visit(user=user)
    forget_inbox_badge(request)  # the navigation's count is exact here, as the block below
    return render(
        request,
        "portal/home.html",
        {
            "memberships": request.tenant.memberships,
            "since": since,
            "my_dossiers": workspace.my_dossiers(user),
            "inbox_items": workspace.new_in_inbox(user, organisation),
            "unread_messages": workspace.unread_messages(user),
            "new_documents": workspace.new_documents(user, since=since),
            "due_for_destruction": workspace.due_for_destruction(user),
            "destruction_days": workspace.DESTRUCTION_WARNING_DAYS,
            "knowledge": workspace.latest_knowledge(user, get_language()),
        },
    )


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
