"""The search page over HTTP, the pipeline from upload to hit, and the queue when the engine is down."""

from __future__ import annotations

import socket

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from portal.documents.actions import add_documents
from search import backends, queue
from search.models import PendingUpdate, SearchEntry
from tests.dossiers.factories import DossierFactory, upload
from tests.search.conftest import settle

pytestmark = pytest.mark.django_db


def test_header_has_a_search_box_and_the_page_lists_marked_hits(organisation_a, admin_a, worker_b, signed_in):
    dossier = DossierFactory(owner=organisation_a, company_name="Holzwurm Zimmerei AG")
    add_documents(
        dossier=dossier,
        uploads=[upload("n.txt", b"Die Mindestlohnkontrolle der Zimmerei.")],
        acting_user=admin_a,
    )
    settle()
    client = signed_in(admin_a)
    with translation.override("en"):
        home = client.get(reverse("dossiers:list")).content.decode()
        assert 'name="q"' in home and reverse("search:search") in home
        page = client.get(reverse("search:search"), {"q": "Mindestlohnkontrolle"}).content.decode()
        link = reverse("dossiers:document", args=[dossier.pk, dossier.documents.get().pk])
    assert "1 result" in page
    assert "<mark>Mindestlohnkontrolle</mark>" in page
    assert link in page
    # The other organisation's member gets nothing, and no way into the dossier's scope.
    other = signed_in(worker_b)
    assert (
        "Mindestlohnkontrolle</mark>"
        not in other.get(reverse("search:search"), {"q": "Mindestlohnkontrolle"}).content.decode()
    )
    assert other.get(reverse("search:search"), {"q": "x", "dossier": dossier.pk}).status_code == 404


def test_facet_links_filter_and_unfilter(organisation_a, admin_a, signed_in):
    dossier = DossierFactory(owner=organisation_a)
    add_documents(dossier=dossier, uploads=[upload("a.txt", b"Arbeitszeit Kontrolle")], acting_user=admin_a)
    settle()
    client = signed_in(admin_a)
    with translation.override("en"):
        page = client.get(reverse("search:search"), {"q": "Arbeitszeit"}).content.decode()
        assert "kind=document" in page
        narrowed = client.get(
            reverse("search:search"), {"q": "Arbeitszeit", "kind": "message"}
        ).content.decode()
    assert "0 results" in narrowed


def test_search_page_queries_do_not_grow_with_the_hits(organisation_a, admin_a, signed_in):
    client = signed_in(admin_a)
    client.get(reverse("search:search"))  # the session's first request does its own bookkeeping

    def queries_for(count: int) -> int:
        for index in range(count):
            dossier = DossierFactory(owner=organisation_a)
            add_documents(
                dossier=dossier, uploads=[upload(f"r{index}.txt", b"Spesenkontrolle")], acting_user=admin_a
            )
        settle(extract=False)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("search:search"), {"q": "Spesenkontrolle"}).status_code == 200
        return len(captured)

    few = queries_for(2)
    many = queries_for(15)
    assert few == many


@pytest.mark.django_db(transaction=True)
def test_an_upload_is_searchable_once_its_request_returns(organisation_a, admin_a, signed_in):
    dossier = DossierFactory(owner=organisation_a)
    client = signed_in(admin_a)
    response = client.post(
        reverse("dossiers:documents", args=[dossier.pk]),
        {
            "files": [upload_file("baustelle.txt", "Baustellenkontrolle Unterkunft Grenzgänger".encode())],
            "category": "other",
        },
    )
    assert response.status_code in (200, 302)
    page = client.get(reverse("search:search"), {"q": "Grenzgänger"}).content.decode()
    assert "<mark>Grenzgänger</mark>" in page
    assert not PendingUpdate.objects.exists()


def upload_file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_engine_loses_nothing_and_the_updates_land_later(
    organisation_a, admin_a, settings, capsys
):
    """The engine refuses connections: updates stay queued with their error and backoff, and
    ``search_status`` shows them; once an engine answers, the same rows land."""
    settings.PORTAL_SEARCH_BACKEND = "opensearch"
    settings.PORTAL_SEARCH_URL = f"http://127.0.0.1:{closed_port()}"
    backends._backend.cache_clear()
    try:
        dossier = DossierFactory(owner=organisation_a)
        add_documents(dossier=dossier, uploads=[upload("k.txt", b"Kurzarbeit")], acting_user=admin_a)
        first = queue.process()
        assert first["failed"] >= 2 and first["indexed"] == 0
        waiting = PendingUpdate.objects.get(key=f"dossier:{dossier.pk}")
        assert waiting.attempts == 1 and "Connection" in waiting.last_error
        assert queue.process()["failed"] == 0  # not due yet: backoff
        queue.retry_now()
        queue.process()
        assert PendingUpdate.objects.get(key=f"dossier:{dossier.pk}").attempts == 2
        call_command("search_status")
        out = capsys.readouterr().out
        assert f"dossier:{dossier.pk}: 2 attempts" in out and "unreachable" in out
    finally:
        settings.PORTAL_SEARCH_BACKEND = "postgres"
        backends._backend.cache_clear()
    queue.retry_now()
    assert queue.process()["failed"] == 0
    assert not PendingUpdate.objects.exists()
    assert SearchEntry.objects.filter(dossier=dossier).count() == 2


def test_rebuild_index_replaces_the_entries(organisation_a, admin_a, capsys):
    dossier = DossierFactory(owner=organisation_a)
    add_documents(dossier=dossier, uploads=[upload("k.txt", b"Kurzarbeit")], acting_user=admin_a)
    SearchEntry.objects.all().delete()
    call_command("rebuild_index", "--extract")
    assert "Indexed 2 entries from 1 dossiers" in capsys.readouterr().out
    assert SearchEntry.objects.get(key=f"document:{dossier.documents.get().pk}").body == "Kurzarbeit"


def test_search_page_asks_the_database_only_for_who_is_asking(
    organisation_a, admin_a, signed_in, search_backend
):
    """Around the backend's own work, a search page costs eight queries whatever it finds: the
    session, the user, their memberships (shared with the page's tenant context), role groups,
    pools, page audiences, pending permission changes and the owner facet's names. No session
    write: the idle timeout moves forward at most once a minute."""
    for index in range(3):
        dossier = DossierFactory(owner=organisation_a)
        add_documents(
            dossier=dossier, uploads=[upload(f"b{index}.txt", b"Spesenkontrolle")], acting_user=admin_a
        )
    settle()
    client = signed_in(admin_a)
    client.get(reverse("search:search"), {"q": "Spesenkontrolle"})
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("search:search"), {"q": "Spesenkontrolle"})
    assert page.status_code == 200 and page.context["search"].results.total == 3
    portal = [q["sql"] for q in captured if "search_searchentry" not in q["sql"]]
    assert len(portal) <= 8, "\n".join(sql[:120] for sql in portal)
    assert not [sql for sql in portal if "django_session" in sql and not sql.startswith("SELECT")]
