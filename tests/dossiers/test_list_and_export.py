"""The dossier list for many dossiers: sorting by column, select-all, export as CSV and XLSX."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from portal.dossiers import export
from portal.dossiers.levels import Level
from portal.dossiers.models import Dossier
from portal.dossiers.sharing import share_dossier
from portal.journal.models import JournalEntry
from tests.dossiers.factories import DossierFactory

pytestmark = pytest.mark.django_db


def english(name):
    with translation.override("en"):
        return reverse(name)


def test_clicking_a_column_header_sorts_by_it_and_a_second_click_reverses(
    signed_in, worker_a, organisation_a
):
    DossierFactory(owner=organisation_a, company_name="Alpha AG", canton="VD")
    DossierFactory(owner=organisation_a, company_name="Beta AG", canton="GE")
    client = signed_in(worker_a)
    page = client.get(english("dossiers:list"), {"canton": ""}).content.decode()
    assert '<a class="sort-link" href="?canton=&amp;sort=company">Company' in page
    page = client.get(english("dossiers:list"), {"canton": "", "sort": "company"}).content.decode()
    assert page.index("Alpha AG") < page.index("Beta AG")
    assert (
        '<th scope="col" aria-sort="ascending"><a class="sort-link" href="?canton=&amp;sort=-company">'
        in page
    )
    page = client.get(english("dossiers:list"), {"sort": "-company"}).content.decode()
    assert page.index("Beta AG") < page.index("Alpha AG")
    assert 'aria-sort="descending"' in page
    page = client.get(english("dossiers:list"), {"sort": "canton"}).content.decode()
    assert page.index("Beta AG") < page.index("Alpha AG")  # GE before VD


def test_the_list_offers_select_all_and_keeps_references_on_one_line(signed_in, worker_a, organisation_a):
    dossier = DossierFactory(owner=organisation_a, reference="GE-2026-00042")
    page = signed_in(worker_a).get(english("dossiers:list")).content.decode()
    assert 'data-select-all="dossiers"' in page and "select-all.js" in page
    assert f'<td class="nowrap"><a href="/en/dossiers/{dossier.pk}/">GE-2026-00042</a></td>' in page
    assert "data-searchable" in page  # the owner filter


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_export_holds_the_filtered_visible_list_and_is_journaled(
    signed_in, worker_b, admin_a, organisation_a, organisation_b
):
    shared = DossierFactory(owner=organisation_a, company_name="Geteilte Maler SA", canton="GE")
    share_dossier(dossier=shared, acting_user=admin_a, organisation=organisation_b, level=Level.VIEW)
    own = DossierFactory(owner=organisation_b, company_name="Eigene Bau AG", canton="GE")
    DossierFactory(owner=organisation_b, company_name="Waadt AG", canton="VD")
    DossierFactory(owner=organisation_a, company_name="Fremde Gipser Sàrl", canton="GE")
    client = signed_in(worker_b)
    before = JournalEntry.objects.count()
    response = client.get(english("dossiers:export"), {"canton": "GE", "sort": "company", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    table = read_csv(response)
    assert table[0][:3] == ["Reference", "Company", "Enterprise number (UID)"]
    assert [row[1] for row in table[1:]] == ["Eigene Bau AG", "Geteilte Maler SA"]
    [entry] = JournalEntry.objects.order_by("id")[before:]
    assert (entry.action, entry.object_type, entry.actor_id) == ("download", "dossier_list", worker_b.pk)
    assert entry.details["format"] == "csv" and entry.details["count"] == 2
    assert entry.details["filters"] == {"canton": ["GE"], "sort": ["company"]}
    assert sorted(entry.details["references"]) == sorted([own.reference, shared.reference])


def test_the_xlsx_export_has_the_same_rows(signed_in, worker_a, organisation_a):
    DossierFactory(owner=organisation_a, company_name="Zürcher Gerüstbau AG", company_uid="CHE116281710")
    response = signed_in(worker_a).get(english("dossiers:export"), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][1] == "Company" and values[1][1] == "Zürcher Gerüstbau AG"
    assert values[1][2] == "CHE-116.281.710"


def test_a_company_name_written_like_a_formula_stays_text(signed_in, worker_a, organisation_a):
    DossierFactory(owner=organisation_a, company_name='=HYPERLINK("http://x","y")')
    table = read_csv(signed_in(worker_a).get(english("dossiers:export"), {"format": "csv"}))
    assert table[1][1] == '\'=HYPERLINK("http://x","y")'


def test_an_export_too_long_or_in_an_unknown_format_is_refused_and_not_journaled(
    signed_in, worker_a, organisation_a, monkeypatch
):
    DossierFactory.create_batch(3, owner=organisation_a)
    monkeypatch.setattr(export, "MAX_ROWS", 2)
    client = signed_in(worker_a)
    before = JournalEntry.objects.count()
    response = client.get(english("dossiers:export"), {"format": "csv", "canton": "GE"}, follow=True)
    assert (
        "More than 2 dossiers: narrow the list with the filters before exporting."
        in response.content.decode()
    )
    assert response.redirect_chain[-1][0] == "/en/dossiers/?canton=GE"
    response = client.get(english("dossiers:export"), {"format": "pdf"}, follow=True)
    assert "Choose CSV or XLSX." in response.content.decode()
    assert JournalEntry.objects.count() == before


def test_the_export_costs_the_same_queries_for_one_and_for_fifty_dossiers(
    signed_in, worker_a, organisation_a
):
    client = signed_in(worker_a)
    DossierFactory(owner=organisation_a, responsible=worker_a)
    client.get(english("dossiers:export"), {"format": "csv"})  # the session's first write

    def cost():
        with CaptureQueriesContext(connection) as captured:
            b"".join(client.get(english("dossiers:export"), {"format": "csv"}).streaming_content)
        return len(captured)

    one = cost()
    DossierFactory.create_batch(49, owner=organisation_a, responsible=worker_a)
    assert cost() == one


def test_a_known_enterprise_number_is_pointed_out_with_a_link_before_saving(
    signed_in, worker_a, organisation_a, organisation_b
):
    known = DossierFactory(owner=organisation_a, company_uid="CHE116281710", reference="GE-2025-00301")
    DossierFactory(owner=organisation_b, company_uid="CHE116281710", reference="PK-2026-00009")  # not visible
    client = signed_in(worker_a)
    form = {"company_name": "Muster Bau GmbH", "company_uid": "che 116 281 710", "company_country": "CH"}
    form |= {"canton": "GE", "control_kind": "posted_workers", "persons_checked": "0"}
    page = client.post(english("dossiers:create"), form).content.decode()
    assert "Another dossier you can see has this enterprise number:" in page
    assert f'<a class="nowrap" href="/en/dossiers/{known.pk}/">GE-2025-00301</a>' in page
    assert "PK-2026-00009" not in page
    assert Dossier.objects.filter(company_name="Muster Bau GmbH").count() == 0
    response = client.post(english("dossiers:create"), form | {"duplicate_confirmed": "1"})
    created = Dossier.objects.get(company_name="Muster Bau GmbH")
    assert response.status_code == 302 and created.company_uid == "CHE116281710"
    # Editing it again without changing the number does not ask again.
    edit = form | {"company_name": "Muster Bau AG"}
    with translation.override("en"):
        url = reverse("dossiers:edit", args=[created.pk])
    assert client.post(url, edit).status_code == 302


def test_the_enterprise_number_help_shows_an_example_the_portal_accepts(signed_in, worker_a):
    from portal.dossiers.identifiers import normalise_uid

    page = signed_in(worker_a).get(english("dossiers:create")).content.decode()
    assert "For example CHE-116.281.710, with or without dots" in page
    assert normalise_uid("CHE-116.281.710") == "CHE116281710"
