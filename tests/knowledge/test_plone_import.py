"""Importing a Plone site's collective.exportimport export (``tests/knowledge/plone_export``)."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Locale, Page, Revision

from portal.demo.knowledge import _child, _localised
from portal.knowledge.models import (
    Audience,
    EventPage,
    GuidancePage,
    KnowledgeHome,
    PloneItem,
    Pool,
    TopicPage,
)
from portal.knowledge.plone.access import load_audience_map
from portal.knowledge.plone.importer import import_plone
from search import service
from tenants.roles import Role
from tests.accounts.factories import EnrolledUserFactory
from tests.search.conftest import settle
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


EXPORT = Path(__file__).parent / "plone_export"
AUDIENCES = Path(__file__).parent / "plone_audiences.json"
PUBLIC = "https://www.tripartite-example.ch"


def exported(path: str) -> dict:
    for file in EXPORT.glob("*/*.json"):  # Plone/ (blobs in base64) and Image/ (blob paths)
        item = json.loads(file.read_text())
        if item["@id"] == f"http://localhost:8080/Plone{path}":
            return item
    raise LookupError(path)


@pytest.fixture
def homes(db):
    locales = {code: Locale.objects.get_or_create(language_code=code)[0] for code in ("de", "fr", "it")}
    root = Page.objects.filter(depth=2, locale=locales["de"]).first() or Page.objects.get(depth=2)
    home, _new = _child(root, KnowledgeHome, "knowledge", title="Wissen")
    _localised(home, locales["fr"], "Connaissances")
    _localised(home, locales["it"], "Conoscenze")
    Pool.objects.create(name="Pool Bauhauptgewerbe")
    return home


def run(export: Path = EXPORT):
    return import_plone(export, audiences=load_audience_map(AUDIENCES), old_urls=(PUBLIC,))


def page(path: str):
    return PloneItem.objects.get(path=path).page.specific


def member(kind: str, pool: str | None = None):
    organisation = OrganisationFactory(kind=kind)
    if pool:
        Pool.objects.get(name=pool).organisations.add(organisation)
    user = EnrolledUserFactory()
    MembershipFactory(user=user, organisation=organisation, role=Role.READER)
    browser = Client()
    browser.force_login(user)
    return user, browser


def test_the_export_becomes_the_tree_with_its_types_dates_and_review_states(homes):
    report = run()
    assert report.created == {"page": 21, "file": 2, "image": 1}
    ablauf = page("/de/lohnschutz/kontrollen/verfahren/ablauf")
    assert isinstance(ablauf, GuidancePage) and ablauf.live
    assert [p.slug for p in ablauf.get_ancestors()[2:]] == [
        "knowledge",
        "lohnschutz",
        "kontrollen",
        "verfahren",
    ]
    assert all(isinstance(p.specific, TopicPage) for p in ablauf.get_ancestors()[3:])
    assert (
        ablauf.title == "Ablauf einer Kontrolle"
        and ablauf.intro == "Von der Anmeldung bis zum Kontrollbericht."
    )
    assert ablauf.effective_date.isoformat() == "2021-03-05"
    assert ablauf.first_published_at.isoformat() == "2021-03-05T08:00:00+00:00"
    assert ablauf.last_published_at.isoformat() == "2024-11-18T14:05:10+00:00"
    record = PloneItem.objects.get(path="/de/lohnschutz/kontrollen/verfahren/ablauf")
    assert record.creators == ["redaktion"] and record.created.isoformat() == "2021-03-04T09:12:33+00:00"
    assert isinstance(page("/de/lohnschutz/aktuell"), GuidancePage)  # a news item
    event = page("/de/schulung-2026")
    assert isinstance(event, EventPage) and event.get_parent().specific == homes
    assert event.place == "Bern, Kursaal" and event.starts_at.isoformat() == "2026-03-10T08:00:00+00:00"
    assert "Für neue Inspektorinnen" in event.intro
    # private without readers → a draft nobody reads
    assert not page("/de/lohnschutz/entwurf").live
    assert report.drafts == 1


def test_rich_text_keeps_headings_tables_images_and_rewrites_links(homes):
    report = run()
    ablauf = page("/de/lohnschutz/kontrollen/verfahren/ablauf")
    blocks = [(block.block_type, block.value) for block in ablauf.body]
    assert [kind for kind, _value in blocks] == ["text", "table", "text"]
    first = blocks[0][1].source
    merkblatt = PloneItem.objects.get(path="/de/lohnschutz/merkblatt-lohnkontrolle.pdf").document
    schema = PloneItem.objects.get(path="/de/lohnschutz/ablaufschema.png").image
    kontrollen = page("/de/lohnschutz/kontrollen")
    assert "<h2>Ablauf einer Kontrolle</h2>" in first and "<h3>Unterlagen</h3>" in first
    assert "<b>Anmeldung</b>" in first
    assert f'<a id="{merkblatt.pk}" linktype="document">Merkblatt Lohnkontrolle</a>' in first
    assert f'<a id="{kontrollen.pk}" linktype="page">' in first  # the old public address
    assert f'embedtype="image" format="fullwidth" id="{schema.pk}"' in first
    table = ablauf.body.raw_data[1]["value"]
    assert table["data"] == [["Schritt", "Frist"], ["Anmeldung", "8 Tage"], ["Bericht", "30 Tage"]]
    assert table["first_row_is_table_header"] is True
    last = blocks[2][1].source
    assert '<a href="https://www.fedlex.admin.ch/eli/cc/2003/566/de">EntsG</a>' in last
    assert "Alte Weisung" in last and "0123456789abcdef" not in last
    assert ("/de/lohnschutz/kontrollen/verfahren/ablauf", "resolveuid/0123456789abcdef0123456789abcdef") in (
        report.broken_links
    )
    # A link to an item further down the export (imported later) is rewritten too, and published.
    news = page("/de/lohnschutz/aktuell")
    assert f'<a id="{ablauf.pk}" linktype="page">hier beschrieben</a>' in news.body.raw_data[0]["value"]
    assert news.live and not news.has_unpublished_changes
    # The French page's absolute link to the German file's download.
    french = page("/fr/protection-des-salaires/controles/procedure/deroulement")
    assert f'<a id="{merkblatt.pk}" linktype="document">notice</a>' in french.body.raw_data[0]["value"]
    assert "<i>annonce</i>" in french.body.raw_data[0]["value"]
    assert report.links_rewritten == 5
    # The rendered page shows the link and the image.
    _user, browser = member("cantonal_authority")
    html = browser.get(ablauf.url).content.decode()
    assert merkblatt.url in html and "<table" in html and "<img" in html


def test_files_and_images_are_byte_for_byte_the_exported_ones(homes):
    run()
    item = exported("/de/lohnschutz/merkblatt-lohnkontrolle.pdf")
    document = PloneItem.objects.get(path="/de/lohnschutz/merkblatt-lohnkontrolle.pdf").document
    with document.file.open("rb") as stored:
        assert stored.read() == base64.b64decode(item["file"]["data"])
    assert document.filename == "merkblatt-lohnkontrolle.pdf" and document.title == "Merkblatt Lohnkontrolle"
    blob = exported("/de/lohnschutz/ablaufschema.png")["image"]["blob_path"]
    image = PloneItem.objects.get(path="/de/lohnschutz/ablaufschema.png").image
    with image.file.open("rb") as stored:
        assert stored.read() == (EXPORT / "blobstorage" / blob).read_bytes()
    assert (image.width, image.height) == (12, 8)


def test_translation_groups_become_linked_translations(homes):
    run()
    ablauf = page("/de/lohnschutz/kontrollen/verfahren/ablauf")
    french = ablauf.get_translation(Locale.objects.get(language_code="fr"))
    italian = ablauf.get_translation(Locale.objects.get(language_code="it"))
    assert french.slug == "deroulement" and italian.slug == "svolgimento"
    assert french.url.startswith("/fr/knowledge/protection-des-salaires/")
    topic = page("/de/lohnschutz")
    assert {p.slug for p in topic.get_translations()} == {"protection-des-salaires", "protezione-dei-salari"}
    assert page("/de/schulung-2026").get_translations().count() == 0


def test_local_roles_become_audiences_and_what_cannot_be_expressed_is_listed(homes):
    report = run()
    intern = page("/de/intern")
    assert intern.live and list(
        Audience.objects.filter(page=intern).values_list("organisation_kind", flat=True)
    ) == ["cantonal_authority"]
    assert Audience.objects.filter(page=page("/fr/interne"), organisation_kind="cantonal_authority").exists()
    assert page("/de/intern/sanktionen").live  # private below the folder: read through its audience
    pool = page("/de/pool-bau")
    assert [a.pool.name for a in Audience.objects.filter(page=pool)] == ["Pool Bauhauptgewerbe"]
    assert ("/de/intern", "Cantonal labour-market authority") in report.audiences or any(
        path == "/de/intern" for path, _label in report.audiences
    )
    notes = dict(report.not_carried_over)
    assert "hans.muster" in notes["/de/pool-bau"] and "lose access" in notes["/de/pool-bau"]


def test_a_restricted_plone_folder_stays_closed_on_the_page_in_lists_search_and_files(homes, search_backend):
    run()
    settle(extract=False)
    canton_user, canton = member("cantonal_authority")
    commission_user, commission = member("joint_commission")
    sanktionen = page("/de/intern/sanktionen")
    assert canton.get(sanktionen.url).status_code == 200
    assert commission.get(sanktionen.url).status_code == 404
    assert commission.get(page("/fr/interne/sanctions").url).status_code == 404
    assert "Intern: Kantone" in canton.get(homes.url).content.decode()
    assert "Intern: Kantone" not in commission.get(homes.url).content.decode()
    assert service.search(canton_user, "Dienstleistungssperren").results.total == 1
    assert service.search(commission_user, "Dienstleistungssperren").results.total == 0
    raster = PloneItem.objects.get(path="/de/intern/sanktionsraster.pdf").document
    assert canton.get(raster.url).status_code == 200
    assert commission.get(raster.url).status_code == 404
    # The pool's folder: its members only.
    _pool_user, pool_member = member("joint_commission", pool="Pool Bauhauptgewerbe")
    report = page("/de/pool-bau/kontrollwoche-bericht")
    assert pool_member.get(report.url).status_code == 200 and commission.get(report.url).status_code == 404


def test_old_addresses_redirect_permanently(homes):
    run()
    _user, browser = member("cantonal_authority")
    ablauf = page("/de/lohnschutz/kontrollen/verfahren/ablauf")
    for old in (
        "/de/lohnschutz/kontrollen/verfahren/ablauf",
        "/de/lohnschutz/kontrollen/verfahren/alter-ablauf/",
    ):
        response = browser.get(old)
        assert response.status_code == 301 and response["Location"].endswith(ablauf.url)
    french = page("/fr/protection-des-salaires/controles/procedure/deroulement")
    response = browser.get("/fr/protection-des-salaires/controles/procedure/deroulement", follow=True)
    assert response.redirect_chain[0][1] == 301 and response.request["PATH_INFO"] == french.url
    merkblatt = PloneItem.objects.get(path="/de/lohnschutz/merkblatt-lohnkontrolle.pdf").document
    for old in ("/de/lohnschutz/merkblatt-lohnkontrolle.pdf/@@download/file", "/de/lohnschutz/merkblatt.pdf"):
        response = browser.get(old)
        assert response.status_code == 301 and response["Location"] == merkblatt.url


def test_a_second_import_changes_nothing(homes):
    run()
    before = (
        Page.objects.count(),
        Revision.objects.count(),
        Document.objects.count(),
        Image.objects.count(),
        Redirect.objects.count(),
        Audience.objects.count(),
        sorted(Page.objects.values_list("pk", "path", "live", "last_published_at", "translation_key")),
    )
    report = run()
    assert report.created == {} and report.updated == {} and report.redirects == 0
    assert report.unchanged == 24
    after = (
        Page.objects.count(),
        Revision.objects.count(),
        Document.objects.count(),
        Image.objects.count(),
        Redirect.objects.count(),
        Audience.objects.count(),
        sorted(Page.objects.values_list("pk", "path", "live", "last_published_at", "translation_key")),
    )
    assert after == before


def test_a_changed_item_is_updated_in_place(homes, tmp_path):
    run()
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    for file in (export / "Plone").glob("*.json"):
        item = json.loads(file.read_text())
        if item["@id"].endswith("/de/lohnschutz/kontrollen/verfahren/ablauf"):
            item["title"] = "Ablauf einer Lohnkontrolle"
            file.write_text(json.dumps(item))
    pk = page("/de/lohnschutz/kontrollen/verfahren/ablauf").pk
    report = run(export)
    assert report.updated == {"page": 1} and report.created == {}
    assert page("/de/lohnschutz/kontrollen/verfahren/ablauf").pk == pk
    assert GuidancePage.objects.get(pk=pk).title == "Ablauf einer Lohnkontrolle"


def test_a_corrupt_export_imports_everything_else_and_reports_the_rest(homes, tmp_path):
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    shutil.rmtree(export / "blobstorage")  # the image's blob is missing
    files = {
        json.loads(f.read_text())["@id"].removeprefix("http://localhost:8080/Plone"): f
        for f in (export / "Plone").glob("*.json")
    }
    files["/it/protezione-dei-salari/controlli/procedura/svolgimento"].write_text('{"@id": "broken", ')
    collection = json.loads(files["/de/lohnschutz/entwurf"].read_text())
    collection["@type"] = "Collection"
    files["/de/lohnschutz/entwurf"].write_text(json.dumps(collection))
    report = run(export)
    skipped = dict(report.skipped)
    broken = f"Plone/{files['/it/protezione-dei-salari/controlli/procedura/svolgimento'].name}"
    assert "not readable as JSON" in skipped[broken]
    assert "is missing" in skipped["/de/lohnschutz/ablaufschema.png"]
    assert skipped["/de/lohnschutz/entwurf"] == "unknown type 'Collection'"
    assert report.created == {"page": 19, "file": 2}
    assert not Image.objects.exists()
    assert not PloneItem.objects.filter(
        path__in=["/de/lohnschutz/ablaufschema.png", "/de/lohnschutz/entwurf"]
    ).exists()
    # the image's place in the text is reported, the rest of the page is there
    ablauf = page("/de/lohnschutz/kontrollen/verfahren/ablauf")
    assert "Ablauf einer Kontrolle" in ablauf.body.raw_data[0]["value"]


def test_a_bad_audience_table_stops_before_anything_is_imported(homes, tmp_path):
    table = tmp_path / "audiences.json"
    table.write_text(json.dumps({"kantone": {"pool": "No such pool"}}))
    with pytest.raises(CommandError, match="no pool named 'No such pool'"):
        call_command("import_plone", str(EXPORT), "--audiences", str(table), "--no-progress")
    assert not PloneItem.objects.exists()


def test_the_command_prints_its_report(homes, capsys):
    call_command("import_plone", str(EXPORT), "--audiences", str(AUDIENCES), "--old-url", PUBLIC)
    out, err = capsys.readouterr()
    assert "Created: 2 files, 1 images, 21 pages." in out
    assert "Audiences applied: 5" in out and "/de/pool-bau: Pool Bauhauptgewerbe" in out
    assert "Skipped: 0" in out and "importing [" in err


@pytest.mark.filterwarnings("error:DateTimeField .* received a naive datetime:RuntimeWarning")
def test_plone_dates_without_a_zone_are_read_in_the_sites_time_zone(homes):
    run()
    assert exported("/de/lohnschutz/kontrollen/verfahren/ablauf")["effective"] == "2021-03-05T09:00:00"
    record = PloneItem.objects.get(path="/de/lohnschutz/kontrollen/verfahren/ablauf")
    assert record.effective.isoformat() == "2021-03-05T08:00:00+00:00"  # 09:00 in Zurich, in winter
    assert page("/de/lohnschutz/kontrollen/verfahren/ablauf").first_published_at == record.effective


def test_an_item_without_a_workflow_is_as_public_as_its_folder(homes, tmp_path):
    """Plone 6 gives Files and Images no workflow (review_state null); a site may do so for pages."""
    assert exported("/de/lohnschutz/merkblatt-lohnkontrolle.pdf")["review_state"] is None
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    for file in (export / "Plone").glob("*.json"):
        item = json.loads(file.read_text())
        if item["@id"].endswith(("/de/lohnschutz/entwurf", "/de/intern/sanktionen")):
            item["review_state"] = None
            file.write_text(json.dumps(item))
    run(export)
    assert page("/de/lohnschutz/entwurf").live  # in a published folder: published
    sanktionen = page("/de/intern/sanktionen")  # in the cantons' folder: theirs only
    assert sanktionen.live
    assert list(Audience.objects.filter(page=sanktionen).values_list("organisation_kind", flat=True)) == [
        "cantonal_authority"
    ]
    _user, commission = member("joint_commission")
    assert commission.get(sanktionen.url).status_code == 404
