"""Demo dossiers: controls in Geneva, Zurich and Ticino and by the construction commission,
with documents, messages, shares and one hand-over for sanction. Created once; a second run
finds them by company name and changes nothing."""

from __future__ import annotations

import io
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from portal.demo.documents import make_csv, make_pdf
from portal.documents.actions import add_documents
from portal.documents.uploads import encrypt_stream
from portal.dossiers.actions import change_status, create_dossier
from portal.dossiers.levels import Level
from portal.dossiers.models import Dossier
from portal.dossiers.sharing import hand_over, share_dossier
from portal.threads.actions import post_message
from tenants.models import Organisation

User = get_user_model()

# owner slug, acting e-mail, company, UID, country, canton, commune, sector, kind, status, language
DOSSIERS = [
    (
        "ge-authority",
        "case.ge@demo.example",
        "Constructions Lemaire SARL",
        "",
        "FR",
        "GE",
        "Carouge",
        "Gros œuvre",
        "posted_workers",
        "under_control",
        "fr",
    ),
    (
        "ge-authority",
        "case.ge@demo.example",
        "Nettoyage Rapide SA",
        "CHE-116.281.710",
        "CH",
        "GE",
        "Vernier",
        "Nettoyage",
        "swiss_employer",
        "report_written",
        "fr",
    ),
    (
        "ge-authority",
        "case.ge@demo.example",
        "Jardins du Léman Sàrl",
        "",
        "FR",
        "GE",
        "Meyrin",
        "Paysagisme",
        "self_employed",
        "opened",
        "fr",
    ),
    (
        "zh-authority",
        "case.zh@demo.example",
        "Müller Fassadenbau GmbH",
        "",
        "DE",
        "ZH",
        "Winterthur",
        "Fassadenbau",
        "posted_workers",
        "documents_requested",
        "de",
    ),
    (
        "zh-authority",
        "case.zh@demo.example",
        "Alpen Personal AG",
        "CHE-105.805.081",
        "CH",
        "ZH",
        "Zürich",
        "Personalverleih",
        "temporary_agency",
        "under_control",
        "de",
    ),
    (
        "ti-authority",
        "case.ti@demo.example",
        "Edilizia Lombarda S.r.l.",
        "",
        "IT",
        "TI",
        "Lugano",
        "Edilizia",
        "posted_workers",
        "under_control",
        "it",
    ),
    (
        "ti-authority",
        "case.ti@demo.example",
        "Pulizie Ticino SA",
        "",
        "CH",
        "TI",
        "Bellinzona",
        "Pulizia",
        "swiss_employer",
        "opened",
        "it",
    ),
    (
        "pk-bau",
        "case.pkbau@demo.example",
        "Schneider Hochbau GmbH",
        "",
        "DE",
        "ZH",
        "Uster",
        "Bauhauptgewerbe",
        "posted_workers",
        "report_written",
        "de",
    ),
    (
        "pk-bau",
        "case.pkbau@demo.example",
        "Betonbau Süd AG",
        "",
        "AT",
        "GR",
        "Chur",
        "Bauhauptgewerbe",
        "posted_workers",
        "under_control",
        "de",
    ),
]

REPORT = {
    "de": [
        "Lohnkontrolle auf der Baustelle",
        "Kontrollierte Personen: {persons}",
        "Mindestlohn gemäss GAV geprüft.",
        "Befund: Lohnunterschreitung bei zwei entsandten Arbeitnehmern.",
    ],
    "fr": [
        "Contrôle des salaires sur le chantier",
        "Personnes contrôlées : {persons}",
        "Salaire minimum selon la CCT vérifié.",
        "Constat : sous-enchère salariale pour deux travailleurs détachés.",
    ],
    "it": [
        "Controllo dei salari sul cantiere",
        "Persone controllate: {persons}",
        "Salario minimo secondo il CCL verificato.",
        "Risultato: dumping salariale per due lavoratori distaccati.",
    ],
}
MESSAGES = {
    "de": "Bitte senden Sie uns die Lohnabrechnungen der letzten drei Monate.",
    "fr": "Merci de nous transmettre les décomptes de salaire des trois derniers mois.",
    "it": "Vi preghiamo di inviarci i conteggi salariali degli ultimi tre mesi.",
}


def _walk_to(dossier, status, user):
    path = {
        "opened": [],
        "documents_requested": ["documents_requested"],
        "under_control": ["under_control"],
        "report_written": ["under_control", "report_written"],
    }[status]
    for step in path:
        dossier = change_status(dossier=dossier, target=step, acting_user=user)
    return dossier


def seed_dossiers() -> int:
    organisations = {o.slug: o for o in Organisation.objects.all()}
    created = 0
    for index, (
        owner,
        email,
        company,
        uid,
        country,
        canton,
        commune,
        sector,
        kind,
        status,
        language,
    ) in enumerate(DOSSIERS):
        if Dossier.objects.filter(company_name=company).exists():
            continue
        user = User.objects.get(email=email)
        persons = 3 + index
        dossier = create_dossier(
            owner=organisations[owner],
            acting_user=user,
            company_name=company,
            company_uid=uid,
            company_country=country,
            canton=canton,
            commune=commune,
            sector=sector,
            control_kind=kind,
            persons_checked=persons,
            deadline=timezone.localdate() + timedelta(days=10 * (index - 2)),
            responsible=user,
            work_start=timezone.localdate() - timedelta(days=60),
            work_end=timezone.localdate() - timedelta(days=20),
            tags=[sector],
        )
        dossier = _walk_to(dossier, status, user)
        report = make_pdf([line.format(persons=persons) for line in REPORT[language]] + [company])
        payroll = make_csv(
            [("Name", "Stunden", "Lohn CHF")] + [(f"Person {n}", 160, 4200 + 50 * n) for n in range(persons)]
        )
        add_documents(
            dossier=dossier,
            uploads=[encrypt_stream(io.BytesIO(report), f"kontrollbericht-{dossier.reference}.pdf")],
            acting_user=user,
            category="control_report",
        )
        add_documents(
            dossier=dossier,
            uploads=[encrypt_stream(io.BytesIO(payroll), "lohnliste.csv")],
            acting_user=user,
            category="payroll",
        )
        post_message(
            dossier=dossier, body=MESSAGES[language], acting_user=user, acting_for=organisations[owner]
        )
        created += 1
        if owner == "pk-bau" and canton == "ZH":
            # The joint commission passes the case to the canton for the sanction and keeps view access.
            hand_over(
                dossier=dossier,
                to_organisation=organisations["zh-authority"],
                acting_user=user,
                level_kept=Level.VIEW,
                note="Zur Sanktion nach Art. 9 EntsG.",
            )
        elif owner == "pk-bau":
            share_dossier(
                dossier=dossier,
                acting_user=user,
                organisation=organisations["kv-bau-nordwest"],
                level=Level.CONTRIBUTE,
                note="Bitte Kontrollbericht ergänzen.",
            )
        elif owner == "ge-authority" and index == 0:
            share_dossier(
                dossier=dossier,
                acting_user=user,
                organisation=organisations["ge-tpk"],
                roles=["administrator", "case_worker"],
                level=Level.VIEW,
                expires_at=timezone.now() + timedelta(days=60),
                note="Pour information de la commission tripartite.",
            )
    return created
