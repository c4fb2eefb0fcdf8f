"""Pages with case data are never kept by browsers or proxies once someone is signed in."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.dossiers.factories import DossierFactory

pytestmark = pytest.mark.django_db


def _english(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_the_dossier_list_and_page_are_not_stored(signed_in, worker_a, organisation_a):
    dossier = DossierFactory(owner=organisation_a)
    client = signed_in(worker_a)
    for url in (_english("dossiers:list"), _english("dossiers:detail", dossier.pk)):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert {"no-store", "private"} <= _directives(response), url


def test_static_files_and_health_keep_their_caching(client, signed_in, worker_a):
    anonymous_health = client.get("/health/")["Cache-Control"]
    signed = signed_in(worker_a)
    stylesheet = signed.get("/static/portal/css/portal.css")
    assert stylesheet.status_code == 200
    assert "no-store" not in _directives(stylesheet)
    health = signed.get("/health/")
    assert health.status_code == 200
    assert health["Cache-Control"] == anonymous_health  # the view's own, untouched
