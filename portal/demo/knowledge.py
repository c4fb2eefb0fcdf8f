"""Demo content of the knowledge section in German, French and Italian (idempotent)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents.models import Document
from wagtail.models import Locale, Page

from portal.knowledge.editors import setup_permissions
from portal.knowledge.models import (
    Audience,
    DownloadsPage,
    EventPage,
    GuidancePage,
    KnowledgeHome,
    Pool,
    TopicPage,
)
from portal.knowledge.roots import name_site_roots
from tenants.models import Organisation

LANGS = ("de", "fr", "it")
HOME = ("Wissen", "Connaissances", "Conoscenze")
HOME_INTRO = (
    "Weisungen, Empfehlungen, Vorlagen und Weiterbildung des Verbands für alle Vollzugsorgane.",
    "Directives, recommandations, modèles et formations de l'association pour tous les organes d'exécution.",
    "Direttive, raccomandazioni, modelli e formazione dell'associazione per tutti gli organi d'esecuzione.",
)
TOPICS = [
    (
        "arbeitsmarkt",
        (
            "Arbeitsmarkt und Arbeitslosigkeit",
            "Marché du travail et chômage",
            "Mercato del lavoro e disoccupazione",
        ),
    ),
    (
        "arbeitsmarktaufsicht",
        ("Arbeitsmarktaufsicht", "Surveillance du marché du travail", "Vigilanza sul mercato del lavoro"),
    ),
    (
        "flankierende-massnahmen",
        (
            "Arbeitsbedingungen und flankierende Massnahmen",
            "Conditions de travail et mesures d'accompagnement",
            "Condizioni di lavoro e misure accompagnatorie",
        ),
    ),
    ("schwarzarbeit", ("Schwarzarbeit", "Travail au noir", "Lavoro nero")),
    ("auslaender", ("Ausländerinnen und Ausländer", "Étrangers", "Stranieri")),
    (
        "stellenmeldepflicht",
        (
            "Stellenmeldepflicht",
            "Obligation d'annoncer les postes vacants",
            "Obbligo di annunciare i posti vacanti",
        ),
    ),
]
# slug, topic, kind, titles (de, fr, it), texts (de, fr, it), audience kind
GUIDANCE = [
    (
        "lohnkontrollen",
        "flankierende-massnahmen",
        "directive",
        (
            "Weisung Lohnkontrollen bei Entsendebetrieben",
            "Directive sur les contrôles salariaux des entreprises de détachement",
            "Direttiva sui controlli salariali delle imprese distaccanti",
        ),
        (
            "Die Kontrollorgane prüfen Stundenlöhne, Arbeitszeit und Spesen anhand der Lohnlisten.",
            "Les organes de contrôle vérifient salaires horaires, durée du travail et frais sur la base des listes de salaires.",
            "Gli organi di controllo verificano salari orari, orario di lavoro e spese sulla base delle liste salariali.",
        ),
        "",
    ),
    (
        "sanktionen",
        "flankierende-massnahmen",
        "recommendation",
        (
            "Empfehlung zu Verwaltungssanktionen",
            "Recommandation sur les sanctions administratives",
            "Raccomandazione sulle sanzioni amministrative",
        ),
        (
            "Bussen und Dienstleistungssperren von einem bis fünf Jahren werden einheitlich bemessen.",
            "Les amendes et interdictions d'offrir des services d'un à cinq ans sont fixées de manière uniforme.",
            "Le multe e i divieti di offrire servizi da uno a cinque anni sono fissati in modo uniforme.",
        ),
        "cantonal_authority",
    ),
    (
        "selbststaendige",
        "flankierende-massnahmen",
        "faq",
        ("FAQ Scheinselbstständigkeit", "FAQ Indépendance fictive", "FAQ Lavoro indipendente fittizio"),
        (
            "Wie erkennt man eine Scheinselbstständigkeit bei Dienstleistungserbringern?",
            "Comment reconnaître une indépendance fictive chez les prestataires de services ?",
            "Come riconoscere un lavoro indipendente fittizio dei prestatori di servizi?",
        ),
        "",
    ),
    (
        "arbeitslosenquote",
        "arbeitsmarkt",
        "report",
        (
            "Bericht Arbeitsmarktlage 2026",
            "Rapport sur la situation du marché du travail 2026",
            "Rapporto sulla situazione del mercato del lavoro 2026",
        ),
        (
            "Der Pool Arbeitsmarktbeobachtung fasst die Entwicklung der Arbeitslosigkeit zusammen.",
            "Le pool d'observation du marché du travail résume l'évolution du chômage.",
            "Il pool di osservazione del mercato del lavoro riassume l'evoluzione della disoccupazione.",
        ),
        "",
    ),
    (
        "rav-zusammenarbeit",
        "arbeitsmarkt",
        "recommendation",
        (
            "Empfehlung Zusammenarbeit mit den RAV",
            "Recommandation sur la collaboration avec les ORP",
            "Raccomandazione sulla collaborazione con gli URC",
        ),
        (
            "Die Vollzugsorgane melden Beobachtungen zu Branchen mit hoher Arbeitslosigkeit.",
            "Les organes d'exécution signalent leurs observations sur les branches à fort chômage.",
            "Gli organi d'esecuzione segnalano le osservazioni sui settori con alta disoccupazione.",
        ),
        "",
    ),
    (
        "beobachtung",
        "arbeitsmarktaufsicht",
        "position",
        (
            "Positionspapier Arbeitsmarktbeobachtung",
            "Prise de position sur l'observation du marché du travail",
            "Presa di posizione sull'osservazione del mercato del lavoro",
        ),
        (
            "Der Verband fordert vergleichbare Kennzahlen aller Kantone.",
            "L'association demande des indicateurs comparables pour tous les cantons.",
            "L'associazione chiede indicatori comparabili per tutti i cantoni.",
        ),
        "",
    ),
    (
        "tpk-leitfaden",
        "arbeitsmarktaufsicht",
        "directive",
        (
            "Leitfaden für tripartite Kommissionen",
            "Guide pour les commissions tripartites",
            "Guida per le commissioni tripartite",
        ),
        (
            "Wie tripartite Kommissionen Lohnunterbietung feststellen und Kontrollen anordnen.",
            "Comment les commissions tripartites constatent la sous-enchère salariale et ordonnent des contrôles.",
            "Come le commissioni tripartite accertano il dumping salariale e ordinano controlli.",
        ),
        "tripartite_commission",
    ),
    (
        "schwarzarbeit-kontrolle",
        "schwarzarbeit",
        "directive",
        (
            "Weisung Kontrollen gegen Schwarzarbeit",
            "Directive sur les contrôles contre le travail au noir",
            "Direttiva sui controlli contro il lavoro nero",
        ),
        (
            "Kontrollen auf Baustellen erfolgen unangemeldet und werden protokolliert.",
            "Les contrôles sur les chantiers sont inopinés et consignés dans un procès-verbal.",
            "I controlli nei cantieri avvengono senza preavviso e sono verbalizzati.",
        ),
        "",
    ),
    (
        "schwarzarbeit-faq",
        "schwarzarbeit",
        "faq",
        (
            "FAQ Meldungen an die Sozialversicherungen",
            "FAQ Annonces aux assurances sociales",
            "FAQ Segnalazioni alle assicurazioni sociali",
        ),
        (
            "Wann muss ein Verdacht den Sozialversicherungen gemeldet werden?",
            "Quand un soupçon doit-il être annoncé aux assurances sociales ?",
            "Quando un sospetto va segnalato alle assicurazioni sociali?",
        ),
        "",
    ),
    (
        "aufenthalt",
        "auslaender",
        "recommendation",
        (
            "Empfehlung Meldeverfahren für Kurzaufenthalte",
            "Recommandation sur la procédure d'annonce des séjours de courte durée",
            "Raccomandazione sulla procedura di notifica dei soggiorni di breve durata",
        ),
        (
            "Die Meldung muss acht Tage vor Arbeitsbeginn eingehen.",
            "L'annonce doit parvenir huit jours avant le début du travail.",
            "La notifica deve pervenire otto giorni prima dell'inizio del lavoro.",
        ),
        "",
    ),
    (
        "stellenmeldung",
        "stellenmeldepflicht",
        "directive",
        (
            "Weisung Kontrolle der Stellenmeldepflicht",
            "Directive sur le contrôle de l'obligation d'annoncer les postes vacants",
            "Direttiva sul controllo dell'obbligo di annunciare i posti vacanti",
        ),
        (
            "Arbeitgeber melden offene Stellen in Berufsarten mit hoher Arbeitslosigkeit.",
            "Les employeurs annoncent les postes vacants dans les genres de professions à fort chômage.",
            "I datori di lavoro annunciano i posti vacanti nei generi di professioni con alta disoccupazione.",
        ),
        "",
    ),
    (
        "pool-bau",
        "flankierende-massnahmen",
        "report",
        (
            "Bericht des Pools Bauhauptgewerbe",
            "Rapport du pool construction",
            "Rapporto del pool edilizia principale",
        ),
        (
            "Ergebnisse der koordinierten Kontrollwoche auf Grossbaustellen.",
            "Résultats de la semaine de contrôles coordonnés sur les grands chantiers.",
            "Risultati della settimana di controlli coordinati nei grandi cantieri.",
        ),
        "pool",
    ),
]


# The body of every demo guidance page, per language (de, fr, it): the page's own sentence is
# its introduction; the body adds the procedure, a table of deadlines, a call-out and the
# template to download, as the umbrella association's real guidance does.
PROCEDURE = (
    (
        "Die Kontrolle beginnt mit der Meldung des Entsendebetriebs, die spätestens acht Tage vor "
        "Arbeitsbeginn beim Kanton des Arbeitsorts eingeht. Ist die Branche einem allgemeinverbindlich "
        "erklärten Gesamtarbeitsvertrag unterstellt, leitet der Kanton den Fall an die zuständige "
        "paritätische Kommission weiter.",
        "Das Kontrollorgan fordert die Unterlagen mit einer Frist an: Lohnlisten, "
        "Arbeitszeitrapporte und Arbeitsverträge. Der Kontrollbericht hält die Befunde fest und wird "
        "mit dem Dossier auf der Plattform geteilt, damit die sanktionierende Behörde ihn einsehen kann.",
    ),
    (
        "Le contrôle commence par l'annonce de l'entreprise de détachement, qui parvient au canton du "
        "lieu de travail au moins huit jours avant le début des travaux. Si la branche relève d'une "
        "convention collective de travail étendue, le canton transmet le cas à la commission paritaire "
        "compétente.",
        "L'organe de contrôle demande les documents dans un délai : listes de salaires, relevés du temps "
        "de travail et contrats de travail. Le rapport de contrôle consigne les constats et est partagé "
        "avec le dossier sur la plateforme, afin que l'autorité de sanction puisse le consulter.",
    ),
    (
        "Il controllo inizia con la notifica dell'impresa distaccante, che giunge al cantone del luogo "
        "di lavoro almeno otto giorni prima dell'inizio dei lavori. Se il ramo è sottoposto a un "
        "contratto collettivo di lavoro dichiarato d'obbligatorietà generale, il cantone trasmette il "
        "caso alla commissione paritetica competente.",
        "L'organo di controllo richiede i documenti entro un termine: liste salariali, rapporti "
        "sull'orario di lavoro e contratti di lavoro. Il rapporto di controllo registra le constatazioni "
        "ed è condiviso con il dossier sulla piattaforma, affinché l'autorità di sanzione possa consultarlo.",
    ),
)
DEADLINES = (
    (
        ("Schritt", "Frist", "Zuständig"),
        ("Meldung", "8 Tage vor Arbeitsbeginn", "Entsendebetrieb"),
        ("Unterlagen einreichen", "10 Tage nach Anforderung", "Betrieb"),
        ("Kontrollbericht", "30 Tage nach der Kontrolle", "Kontrollorgan"),
        ("Sanktionsentscheid", "nach Eingang des Berichts", "Kantonale Behörde"),
    ),
    (
        ("Étape", "Délai", "Compétence"),
        ("Annonce", "8 jours avant le début des travaux", "Entreprise de détachement"),
        ("Remise des documents", "10 jours après la demande", "Entreprise"),
        ("Rapport de contrôle", "30 jours après le contrôle", "Organe de contrôle"),
        ("Décision de sanction", "après réception du rapport", "Autorité cantonale"),
    ),
    (
        ("Fase", "Termine", "Competenza"),
        ("Notifica", "8 giorni prima dell'inizio dei lavori", "Impresa distaccante"),
        ("Consegna dei documenti", "10 giorni dopo la richiesta", "Impresa"),
        ("Rapporto di controllo", "30 giorni dopo il controllo", "Organo di controllo"),
        ("Decisione di sanzione", "dopo la ricezione del rapporto", "Autorità cantonale"),
    ),
)
CAPTIONS = ("Fristen im Überblick", "Délais en un coup d'œil", "Termini in sintesi")
CALLOUTS = (
    "Personendaten bleiben zwölf Monate auf der Plattform und werden danach automatisch vernichtet. "
    "Legen Sie Unterlagen, die länger benötigt werden, in Ihrer eigenen Fallablage ab.",
    "Les données personnelles restent douze mois sur la plateforme, puis sont détruites "
    "automatiquement. Conservez dans votre propre gestion des cas les documents nécessaires plus longtemps.",
    "I dati personali restano dodici mesi sulla piattaforma e sono poi distrutti automaticamente. "
    "Conservi nella Sua gestione dei casi i documenti necessari più a lungo.",
)
TEMPLATE_LABELS = (
    "Vorlage Kontrollbericht (CSV)",
    "Modèle de rapport de contrôle (CSV)",
    "Modello di rapporto di controllo (CSV)",
)


def guidance_body(language: int, document: Document) -> list:
    """Paragraphs, a table of deadlines, a call-out and the template, in one language."""
    rows = DEADLINES[language]
    return [
        ("text", "".join(f"<p>{paragraph}</p>" for paragraph in PROCEDURE[language])),
        (
            "table",
            {
                "data": [list(row) for row in rows],
                "first_row_is_table_header": True,
                "first_col_is_header": False,
                "table_caption": CAPTIONS[language],
            },
        ),
        ("callout", {"tone": "important", "text": f"<p>{CALLOUTS[language]}</p>"}),
        ("document", {"document": document, "description": TEMPLATE_LABELS[language]}),
    ]


def _report_template() -> Document:
    document = Document.objects.filter(title="Vorlage Kontrollbericht").first()
    if document is None:
        document = Document(title="Vorlage Kontrollbericht")
        document.file.save(
            "vorlage-kontrollbericht.csv",
            ContentFile(b"Firma;UID;Kanton;Personen;Befund\n"),
            save=True,
        )
    return document


def _localised(page: Page, locale: Locale, title: str, **fields) -> Page:
    translated = page.get_translation_or_none(locale)
    if translated is None:
        translated = page.copy_for_translation(locale, copy_parents=True)
    translated = translated.specific
    translated.title = title
    for name, value in fields.items():
        setattr(translated, name, value)
    translated.save_revision().publish()
    return translated


def _child(parent: Page, model, slug: str, **fields):
    existing = parent.get_children().filter(slug=slug).first()
    if existing:
        return existing.specific, False
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


def seed_knowledge() -> int:
    """The home, six topics, twelve guidance pages, templates, events; returns the German pages' count."""
    locales = {lang: Locale.objects.get_or_create(language_code=lang)[0] for lang in (*LANGS, "en")}
    root = Page.objects.filter(depth=2, locale=locales["de"]).first() or Page.objects.get(depth=2)
    home, _new = _child(root, KnowledgeHome, "knowledge", title=HOME[0], intro=HOME_INTRO[0])
    for index, lang in enumerate(LANGS[1:], start=1):
        _localised(home, locales[lang], HOME[index], intro=HOME_INTRO[index])
    vsaa = Organisation.objects.filter(slug="vsaa").first()
    pool, _new = Pool.objects.get_or_create(name="Pool Bauhauptgewerbe")
    pool.organisations.add(
        *Organisation.objects.filter(kind="joint_commission", short_name__icontains="bau")[:1]
    )
    if vsaa:
        pool.organisations.add(vsaa)
    topics = {}
    for slug, titles in TOPICS:
        topic, _new = _child(home, TopicPage, slug, title=titles[0])
        topics[slug] = topic
        for index, lang in enumerate(LANGS[1:], start=1):
            _localised(topic, locales[lang], titles[index])
    document = _report_template()
    start = date(2026, 1, 1)
    for number, (slug, topic, kind, titles, texts, audience) in enumerate(GUIDANCE):
        body = guidance_body(0, document)
        page, new = _child(
            topics[topic],
            GuidancePage,
            slug,
            title=titles[0],
            kind=kind,
            intro=texts[0],
            effective_date=start + timedelta(days=20 * number),
            body=body,
        )
        if new and audience:
            Audience.objects.create(
                page=page,
                organisation_kind=audience if audience != "pool" else "",
                pool=pool if audience == "pool" else None,
            )
            page.save_revision().publish()
        for index, lang in enumerate(LANGS[1:], start=1):
            _localised(
                page,
                locales[lang],
                titles[index],
                intro=texts[index],
                body=guidance_body(index, document),
            )
    titles = ("Vorlagen und Formulare", "Modèles et formulaires", "Modelli e moduli")
    downloads, _new = _child(
        topics["flankierende-massnahmen"],
        DownloadsPage,
        "vorlagen",
        title=titles[0],
        files=[("document", {"document": document, "description": "Kontrollbericht"})],
    )
    for index, lang in enumerate(LANGS[1:], start=1):
        _localised(downloads, locales[lang], titles[index])
    tz = timezone.get_current_timezone()
    events = [
        (
            "weiterbildung-entsendung",
            "training",
            (
                "Weiterbildung Entsendegesetz",
                "Formation loi sur les travailleurs détachés",
                "Formazione legge sui lavoratori distaccati",
            ),
            ("Bern", "Berne", "Berna"),
            30,
        ),
        (
            "pool-sitzung-bau",
            "pool_meeting",
            (
                "Sitzung Pool Bauhauptgewerbe",
                "Séance du pool construction",
                "Seduta del pool edilizia principale",
            ),
            ("Lausanne", "Lausanne", "Losanna"),
            45,
        ),
    ]
    for slug, kind, event_titles, places, days in events:
        when = datetime.combine(timezone.localdate() + timedelta(days=days), time(9), tz)
        event, _new = _child(
            home,
            EventPage,
            slug,
            title=event_titles[0],
            kind=kind,
            starts_at=when,
            ends_at=when + timedelta(hours=7),
            place=places[0],
            registration_url="https://www.example.org/anmeldung",
        )
        for index, lang in enumerate(LANGS[1:], start=1):
            _localised(event, locales[lang], event_titles[index], place=places[index])
    setup_permissions(list(KnowledgeHome.objects.all()))
    name_site_roots()
    return Page.objects.descendant_of(home, inclusive=True).count()
