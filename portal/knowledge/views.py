"""Serving knowledge pages: Wagtail's own view, with the language fallback in front."""

from __future__ import annotations

from wagtail import views as wagtail_views

from portal.knowledge.languages import route_with_fallback


def serve(request, path):
    # Resolve the route first (in the reader's language, else another); Wagtail's view then
    # takes it from the request and runs the audience hooks as for any page.
    route_with_fallback(request, path)
    return wagtail_views.serve(request, path)
