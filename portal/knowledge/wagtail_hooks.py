"""Serving knowledge pages and their documents: signed-in members only, and only pages (and
documents of pages) of their audience."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils.translation import gettext as _
from wagtail import hooks

from portal.knowledge.audiences import can_read, can_read_path, may_download
from portal.knowledge.models import PloneItem


@hooks.register("before_serve_page")
def only_for_the_audience(page, request, serve_args, serve_kwargs):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_read(request.user, page):
        raise Http404(_("No page found."))
    return None


@hooks.register("before_serve_document")
def documents_for_the_audience_only(document, request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_download(request.user, document):
        # The same answer as for a missing document: an id tells nothing.
        raise Http404(_("No document found."))
    return None


@hooks.register("before_serve_document")
def imported_files_follow_their_folder(document, request):
    """A file imported from a Plone folder is read by that folder's audience only."""
    if not request.user.is_authenticated:
        return None
    folder = PloneItem.objects.filter(document=document, container__isnull=False).values_list(
        "container__path", flat=True
    )
    for path in folder[:1]:
        if not can_read_path(request.user, path):
            raise Http404(_("No document found."))
    return None
