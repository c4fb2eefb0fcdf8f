"""The conformance suite: the same queries on the same data give the same result sets on
every backend (ranking may differ). Each test runs on PostgreSQL and on OpenSearch."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.dossiers.retention import destroy
from portal.dossiers.sharing import hand_over, revoke_share, share_dossier
from search import extract
from search.models import SearchEntry
from search.service import search
from tenants.roles import Role
from tests.search import corpus as corpus_module
from tests.search.conftest import settle
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _extracted() -> dict:
    """What the extraction child answered for each file of this module, by content and type."""
    return {}


@pytest.fixture
def extraction_once_per_file(_extracted, monkeypatch):
    """Each distinct file of this module goes through the real extraction child once, not once
    per test: the corpus's OCR and interpreter starts took 7 to 9 s of every build, and the
    same bytes give the same answer (extraction itself is tested in test_extraction.py)."""
    child = extract.run_child

    def once_per_file(chunks, content_type):
        data = b"".join(chunks)
        key = (hashlib.sha256(data).hexdigest(), content_type)
        if key not in _extracted:
            _extracted[key] = child([data], content_type)
        return dict(_extracted[key])

    monkeypatch.setattr(extract, "run_child", once_per_file)


@pytest.fixture
def corpus(search_backend, organisation_a, organisation_b, admin_a, admin_b, extraction_once_per_file):
    built = corpus_module.build(organisation_a, organisation_b, admin_a, admin_b)
    settle()
    return built


def keys(user, text, **kwargs) -> set[str]:
    return {hit.key for hit in search(user, text, per_page=100, **kwargs).results.hits}


def test_stemming_finds_inflections_in_each_language(corpus, worker_a):
    de, fr, it = (f"document:{corpus.documents[lang].pk}" for lang in ("de", "fr", "it"))
    assert de in keys(worker_a, "Lohnkontrollen")
    assert fr in keys(worker_a, "controle")
    assert fr in keys(worker_a, "contrôles salaire")
    assert it in keys(worker_a, "controlli")
    assert it in keys(worker_a, "salario minimo")


def test_enterprise_number_in_every_typing_finds_its_dossier(corpus, worker_a):
    for typed in (
        "CHE-116.281.710",
        "CHE116281710",
        "che 116 281 710",
        "116.281.710",
        "116281710",
        "CHE-116.281.710 MWST",
    ):
        assert f"dossier:{corpus.a1.pk}" in keys(worker_a, typed), typed
    assert keys(worker_a, "CHE-116.281.711") == set()


def test_reference_and_typo_in_company_name(corpus, worker_a):
    assert f"dossier:{corpus.a1.pk}" in keys(worker_a, corpus.a1.reference)
    assert f"dossier:{corpus.a1.pk}" in keys(worker_a, "Mustr Bau")


def test_scanned_pdf_is_found_by_a_word_on_its_page(corpus, worker_a):
    assert keys(worker_a, "Schalungsarbeiten") == {f"document:{corpus.documents['scan'].pk}"}


def test_results_and_facets_never_count_what_the_user_may_not_see(corpus, worker_a, worker_b, organisation_b):
    mine = search(worker_a, "Lohnkontrolle")
    assert {hit.dossier_id for hit in mine.results.hits} == {corpus.a1.pk}
    theirs = search(worker_b, "Lohnkontrolle")
    assert {hit.dossier_id for hit in theirs.results.hits} == {corpus.b1.pk}
    assert theirs.results.total == 2  # B's document and message, nothing of A
    for found in (mine, theirs):
        assert sum(count for _value, count in found.results.facets["kind"]) == found.results.total
    assert dict(mine.results.facets["owner_id"]) == {str(corpus.a1.owner_id): mine.results.total}
    assert "ZH" not in dict(mine.results.facets["canton"])
    outsider = MembershipFactory(organisation=OrganisationFactory(), role=Role.ADMINISTRATOR).user
    assert search(outsider, "Lohnkontrolle").results.total == 0


def test_share_revocation_expiry_and_hand_over_take_effect_in_search(
    corpus, admin_a, admin_b, worker_a, worker_b, organisation_a, monkeypatch
):
    b1_document = f"document:{corpus.documents['b1'].pk}"
    share = share_dossier(dossier=corpus.b1, acting_user=admin_b, organisation=organisation_a, level=1)
    settle(extract=False)
    assert b1_document in keys(worker_a, "vertrauliche")
    revoke_share(share=share, acting_user=admin_b)
    # Before any queued update is applied, the revoked user already finds nothing.
    assert keys(worker_a, "vertrauliche") == set()
    settle(extract=False)
    assert keys(worker_a, "vertrauliche") == set()

    expiring = share_dossier(
        dossier=corpus.b1,
        acting_user=admin_b,
        user=worker_a,
        level=1,
        expires_at=timezone.now() + timedelta(days=1),
    )
    settle(extract=False)
    assert b1_document in keys(worker_a, "vertrauliche")
    # Two days later the share has expired: nobody re-indexed anything, the query's time did it.
    later = expiring.expires_at + timedelta(days=1)
    with monkeypatch.context() as travel:
        travel.setattr(timezone, "now", lambda: later)
        assert keys(worker_a, "vertrauliche") == set()

    a2_document = f"document:{corpus.documents['a2'].pk}"
    assert a2_document in keys(worker_a, "secondaire")
    hand_over(dossier=corpus.a2, to_organisation=corpus.b1.owner, acting_user=admin_a, level_kept=None)
    assert keys(worker_a, "secondaire") == set()
    settle(extract=False)
    assert keys(worker_a, "secondaire") == set()
    assert a2_document in keys(worker_b, "secondaire")


def test_filters_sorting_paging_and_search_within_a_dossier(corpus, worker_a):
    everything = search(worker_a, "salari OR salaires OR Lohnkontrolle OR Lohnbuchhaltung")
    assert everything.results.total == 4
    assert keys(worker_a, "Lohnkontrolle OR salaires", filters={"language": ["fr"]}) == {
        f"document:{corpus.documents['fr'].pk}"
    }
    assert keys(worker_a, "Lohnbuchhaltung", filters={"kind": ["message"]}) != set()
    assert keys(worker_a, "Lohnbuchhaltung", filters={"kind": ["document"]}) == set()
    assert keys(worker_a, "secondaire", filters={"dossier": [str(corpus.a1.pk)]}) == set()
    assert keys(worker_a, "secondaire", filters={"dossier": [str(corpus.a2.pk)]}) == {
        f"document:{corpus.documents['a2'].pk}"
    }
    assert keys(worker_a, "salaires", filters={"canton": ["VD"]}) == set()
    by_date = search(
        worker_a, "salari OR salaires OR Lohnkontrolle OR Lohnbuchhaltung", sort="date", per_page=3
    )
    assert by_date.pages == 2
    dates = [hit.date for hit in by_date.results.hits]
    assert dates == sorted(dates, reverse=True)
    second = search(
        worker_a, "salari OR salaires OR Lohnkontrolle OR Lohnbuchhaltung", sort="date", per_page=3, page=2
    )
    assert {h.key for h in second.results.hits}.isdisjoint({h.key for h in by_date.results.hits})
    assert len(second.results.hits) == 1


def test_snippets_mark_the_match_and_escape_the_text(search_backend, organisation_a, admin_a, worker_a):
    dossier = corpus_module.DossierFactory(owner=organisation_a)
    corpus_module.add_documents(
        dossier=dossier,
        uploads=[
            corpus_module.upload(
                # Plain text with markup in it (a file libmagic calls HTML is refused at upload).
                "x.txt",
                b"Die Kontrolle <img src=x onerror=alert(1)> der Arbeitszeiten ergab nichts.",
            )
        ],
        acting_user=admin_a,
    )
    settle()
    [hit] = search(worker_a, "Arbeitszeiten").results.hits
    assert "<mark>Arbeitszeiten</mark>" in hit.snippet
    assert "<img" not in hit.snippet  # dropped or escaped, never markup


def test_destroyed_dossier_leaves_nothing_in_the_index(corpus, worker_a):
    assert keys(worker_a, "Lohnkontrolle")
    destroy(corpus.a1)
    settle(extract=False)
    assert keys(worker_a, "Lohnkontrolle OR Lohnbuchhaltung OR Schalungsarbeiten OR Muster") == set()
    assert not SearchEntry.objects.filter(dossier_id=corpus.a1.pk).exists()


@pytest.fixture
def names(search_backend, organisation_a, admin_a, extraction_once_per_file):
    """Dossiers and documents with names and compounds as people write them."""
    made = {
        "mueller": corpus_module.DossierFactory(
            owner=organisation_a, company_name="Müller AG", sector="Maler"
        ),
        "waechter": corpus_module.DossierFactory(owner=organisation_a, company_name="Waechter Gipser GmbH"),
        "bernasconi": corpus_module.DossierFactory(
            owner=organisation_a, company_name="Bernasconi Costruzioni SA"
        ),
        "bernaskoni": corpus_module.DossierFactory(owner=organisation_a, company_name="Bernaskoni Sagl"),
        "lefevre": corpus_module.DossierFactory(owner=organisation_a, company_name="Lefebvre Peinture Sàrl"),
    }
    texts = {
        "de_umlaut": ("protokoll.txt", "Gespräch mit Herrn Jürg Müller über die Arbeitszeitkontrolle."),
        "de_digraph": ("notiz.txt", "Herr Hans Mueller hat die Unterlagen der Lohnkontrolle nachgereicht."),
        "fr": ("decision.txt", "Le salaire minimum du contrat de travail n'a pas été respecté."),
        "it": ("rapporto.txt", "Il salario minimale non è stato pagato dal datore di lavoro."),
    }
    documents = {}
    for name, (file_name, text) in texts.items():
        [documents[name]] = corpus_module.add_documents(
            dossier=made["mueller"],
            uploads=[corpus_module.upload(file_name, text.encode())],
            acting_user=admin_a,
        )
    settle()
    return made, documents


def test_umlauts_written_as_digraphs_match_both_ways(names, worker_a):
    dossiers, documents = names
    mueller, waechter = f"dossier:{dossiers['mueller'].pk}", f"dossier:{dossiers['waechter'].pk}"
    assert mueller in keys(worker_a, "Mueller AG")
    assert mueller in keys(worker_a, "Müller AG")
    assert waechter in keys(worker_a, "Wächter")
    assert waechter in keys(worker_a, "Waechter")
    umlaut, digraph = f"document:{documents['de_umlaut'].pk}", f"document:{documents['de_digraph'].pk}"
    assert {umlaut, digraph} <= keys(worker_a, "Mueller")
    assert {umlaut, digraph} <= keys(worker_a, "Müller")
    assert {umlaut, digraph} <= keys(worker_a, "muller")


def test_misspelt_names_are_found_below_the_exact_match(names, worker_a):
    dossiers, _documents = names
    exact, near = f"dossier:{dossiers['bernaskoni'].pk}", f"dossier:{dossiers['bernasconi'].pk}"
    ranked = [hit.key for hit in search(worker_a, "Bernaskoni", per_page=100).results.hits]
    assert ranked[:2] == [exact, near]
    assert f"dossier:{dossiers['lefevre'].pk}" in keys(worker_a, "Lefevre")
    assert f"dossier:{dossiers['mueller'].pk}" in keys(worker_a, "Mülller")
    assert f"dossier:{dossiers['mueller'].pk}" not in keys(worker_a, "Bernaskoni")


def test_german_compounds_are_found_by_their_parts(names, corpus, worker_a):
    _dossiers, documents = names
    assert f"document:{documents['de_umlaut'].pk}" in keys(worker_a, "Arbeitszeit")
    assert f"document:{documents['de_umlaut'].pk}" in keys(worker_a, "Kontrolle")
    assert f"document:{corpus.documents['de'].pk}" in keys(worker_a, "Kontrolle")
    assert f"document:{documents['de_digraph'].pk}" in keys(worker_a, "Kontrolle Mueller")
    # The query is not split: a compound finds itself, not every text with one of its parts.
    assert f"document:{documents['de_umlaut'].pk}" not in keys(worker_a, "Lohnkontrolle")


def test_equivalent_word_forms_the_stemmers_keep_apart(names, worker_a):
    _dossiers, documents = names
    fr, it = f"document:{documents['fr'].pk}", f"document:{documents['it'].pk}"
    assert fr in keys(worker_a, "salaire minimal")
    assert fr in keys(worker_a, "salaires minimaux")
    assert fr in keys(worker_a, "salaire minimum")
    assert it in keys(worker_a, "salario minimo")
    assert it in keys(worker_a, "salario minimale")
    assert fr not in keys(worker_a, "salaire maximal")
