"""A small multilingual corpus of case files for the search tests."""

from __future__ import annotations

from dataclasses import dataclass

from portal.documents.actions import add_documents
from portal.threads.actions import post_message
from tests.dossiers.factories import DossierFactory, upload
from tests.search.conftest import FIXTURES

UID = "CHE116281710"


@dataclass
class Corpus:
    a1: object
    a2: object
    b1: object
    documents: dict


def build(organisation_a, organisation_b, admin_a, admin_b) -> Corpus:
    a1 = DossierFactory(
        owner=organisation_a,
        company_name="Muster Bau AG",
        company_uid=UID,
        sector="Bauhauptgewerbe",
        canton="GE",
    )
    a2 = DossierFactory(
        owner=organisation_a, company_name="Deuxième Entreprise SA", sector="Nettoyage", canton="VD"
    )
    b1 = DossierFactory(
        owner=organisation_b, company_name="Geheim Gerüstbau GmbH", sector="Gerüstbau", canton="ZH"
    )
    texts = {
        "de": (
            "lohnkontrolle.txt",
            "Die Lohnkontrolle auf der Baustelle ergab Unterschreitungen der Mindestlöhne.",
        ),
        "fr": (
            "controle.txt",
            "Le contrôle des salaires a révélé des infractions aux salaires minimaux du chantier.",
        ),
        "it": (
            "controllo.txt",
            "Il controllo dei salari ha rilevato violazioni dei salari minimi nel cantiere.",
        ),
    }
    documents = {}
    for language, (name, text) in texts.items():
        [documents[language]] = add_documents(
            dossier=a1, uploads=[upload(name, text.encode())], acting_user=admin_a, category="control_report"
        )
    [documents["scan"]] = add_documents(
        dossier=a1, uploads=[upload("scan.pdf", (FIXTURES / "scan.pdf").read_bytes())], acting_user=admin_a
    )
    [documents["a2"]] = add_documents(
        dossier=a2,
        uploads=[upload("rapport.txt", "Contrôle secondaire des horaires de travail.".encode())],
        acting_user=admin_a,
    )
    [documents["b1"]] = add_documents(
        dossier=b1,
        uploads=[
            upload("vertraulich.txt", "Vertrauliche Lohnkontrolle im Gerüstbau, nur für die PK Bau.".encode())
        ],
        acting_user=admin_b,
    )
    post_message(
        dossier=a1,
        body="Bitte die Lohnbuchhaltung nachreichen.",
        acting_user=admin_a,
        acting_for=organisation_a,
    )
    post_message(
        dossier=b1, body="Lohnkontrolle intern besprochen.", acting_user=admin_b, acting_for=organisation_b
    )
    return Corpus(a1, a2, b1, documents)
