"""The demo's organisations and people, as plain data."""

from __future__ import annotations

# code: (German, French, Italian, English)
CANTONS = {
    "AG": ("Aargau", "Argovie", "Argovia", "Aargau"),
    "AI": (
        "Appenzell Innerrhoden",
        "Appenzell Rhodes-Intérieures",
        "Appenzello Interno",
        "Appenzell Innerrhoden",
    ),
    "AR": (
        "Appenzell Ausserrhoden",
        "Appenzell Rhodes-Extérieures",
        "Appenzello Esterno",
        "Appenzell Ausserrhoden",
    ),
    "BE": ("Bern", "Berne", "Berna", "Bern"),
    "BL": ("Basel-Landschaft", "Bâle-Campagne", "Basilea Campagna", "Basel-Landschaft"),
    "BS": ("Basel-Stadt", "Bâle-Ville", "Basilea Città", "Basel-Stadt"),
    "FR": ("Freiburg", "Fribourg", "Friburgo", "Fribourg"),
    "GE": ("Genf", "Genève", "Ginevra", "Geneva"),
    "GL": ("Glarus", "Glaris", "Glarona", "Glarus"),
    "GR": ("Graubünden", "Grisons", "Grigioni", "Graubünden"),
    "JU": ("Jura", "Jura", "Giura", "Jura"),
    "LU": ("Luzern", "Lucerne", "Lucerna", "Lucerne"),
    "NE": ("Neuenburg", "Neuchâtel", "Neuchâtel", "Neuchâtel"),
    "NW": ("Nidwalden", "Nidwald", "Nidvaldo", "Nidwalden"),
    "OW": ("Obwalden", "Obwald", "Obvaldo", "Obwalden"),
    "SG": ("St. Gallen", "Saint-Gall", "San Gallo", "St. Gallen"),
    "SH": ("Schaffhausen", "Schaffhouse", "Sciaffusa", "Schaffhausen"),
    "SO": ("Solothurn", "Soleure", "Soletta", "Solothurn"),
    "SZ": ("Schwyz", "Schwytz", "Svitto", "Schwyz"),
    "TG": ("Thurgau", "Thurgovie", "Turgovia", "Thurgau"),
    "TI": ("Tessin", "Tessin", "Ticino", "Ticino"),
    "UR": ("Uri", "Uri", "Uri", "Uri"),
    "VD": ("Waadt", "Vaud", "Vaud", "Vaud"),
    "VS": ("Wallis", "Valais", "Vallese", "Valais"),
    "ZG": ("Zug", "Zoug", "Zugo", "Zug"),
    "ZH": ("Zürich", "Zurich", "Zurigo", "Zurich"),
}


def cantonal_organisations():
    """The labour-market authority and the tripartite commission of every canton."""
    for code, (de, fr, it, en) in CANTONS.items():
        slug = code.lower()
        yield {
            "slug": f"{slug}-authority",
            "short_name": f"AMB {code}",
            "kind": "cantonal_authority",
            "canton": code,
            "name_de": f"Arbeitsmarktbehörde Kanton {de}",
            "name_fr": f"Autorité du marché du travail du canton de {fr}",
            "name_it": f"Autorità del mercato del lavoro del Cantone {it}",
            "name_en": f"Labour-market authority of the canton of {en}",
            "email": f"flam@{slug}.demo.example",
        }
        yield {
            "slug": f"{slug}-tpk",
            "short_name": f"TPK {code}",
            "kind": "tripartite_commission",
            "canton": code,
            "name_de": f"Tripartite Kommission Kanton {de}",
            "name_fr": f"Commission tripartite du canton de {fr}",
            "name_it": f"Commissione tripartita del Cantone {it}",
            "name_en": f"Tripartite commission of the canton of {en}",
            "email": f"tpk@{slug}.demo.example",
        }


# slug, short name, (German, French, Italian, English) sector names
JOINT_COMMISSIONS = [
    (
        "pk-bau",
        "PK Bau",
        (
            "Bauhauptgewerbe",
            "secteur principal de la construction",
            "edilizia principale",
            "main construction",
        ),
    ),
    (
        "pk-elektro",
        "PK Elektro",
        (
            "Elektro- und Telekommunikations-Installationsgewerbe",
            "installation électrique et télécommunication",
            "installazione elettrica e telecomunicazioni",
            "electrical installation",
        ),
    ),
    (
        "pk-maler",
        "PK Maler Gipser",
        ("Maler- und Gipsergewerbe", "plâtrerie-peinture", "gessatura e pittura", "painting and plastering"),
    ),
    (
        "pk-gebaeudehuelle",
        "PK Gebäudehülle",
        ("Gebäudehülle", "enveloppe des édifices", "involucro edilizio", "building envelope"),
    ),
    ("pk-reinigung", "PK Reinigung", ("Reinigungsbranche", "nettoyage", "pulizia", "cleaning")),
    (
        "pk-sicherheit",
        "PK Sicherheit",
        ("Sicherheitsdienstleistungen", "services de sécurité", "servizi di sicurezza", "security services"),
    ),
    (
        "pk-gastgewerbe",
        "PK Gastgewerbe",
        ("Gastgewerbe", "hôtellerie-restauration", "settore alberghiero e della ristorazione", "hospitality"),
    ),
    (
        "pk-personalverleih",
        "PK Personalverleih",
        ("Personalverleih", "location de services", "prestito di personale", "temporary agency work"),
    ),
    (
        "pk-holzbau",
        "PK Holzbau",
        ("Holzbau", "construction en bois", "costruzioni in legno", "timber construction"),
    ),
]


def joint_commissions():
    for slug, short, (de, fr, it, en) in JOINT_COMMISSIONS:
        yield {
            "slug": slug,
            "short_name": short,
            "kind": "joint_commission",
            "canton": "CH",
            "name_de": f"Paritätische Kommission {de}",
            "name_fr": f"Commission paritaire {fr}",
            "name_it": f"Commissione paritetica {it}",
            "name_en": f"Joint commission for {en}",
            "email": f"info@{slug}.demo.example",
        }


OTHER_ORGANISATIONS = [
    {
        "slug": "kv-bau-nordwest",
        "short_name": "KV Bau NW",
        "kind": "control_association",
        "canton": "BS",
        "name_de": "Kontrollverein Bau Nordwestschweiz",
        "name_fr": "Association de contrôle de la construction Nord-Ouest",
        "name_it": "Associazione di controllo edilizia Svizzera nordoccidentale",
        "name_en": "Construction control association North-West",
    },
    {
        "slug": "ac-romandie",
        "short_name": "AC Romandie",
        "kind": "control_association",
        "canton": "VD",
        "name_de": "Kontrollverein Romandie",
        "name_fr": "Association de contrôle Romandie",
        "name_it": "Associazione di controllo Romandia",
        "name_en": "Control association Romandy",
    },
    {
        "slug": "ac-ticino",
        "short_name": "AC Ticino",
        "kind": "control_association",
        "canton": "TI",
        "name_de": "Kontrollverein Tessin",
        "name_fr": "Association de contrôle Tessin",
        "name_it": "Associazione di controllo Ticino",
        "name_en": "Control association Ticino",
    },
    {
        "slug": "seco",
        "short_name": "SECO",
        "kind": "federal_secretariat",
        "canton": "CH",
        "name_de": "Staatssekretariat für Wirtschaft, Aufsicht FlaM",
        "name_fr": "Secrétariat d'État à l'économie, surveillance des mesures d'accompagnement",
        "name_it": "Segreteria di Stato dell'economia, vigilanza misure accompagnatorie",
        "name_en": "State Secretariat for Economic Affairs, supervision of the accompanying measures",
    },
    {
        "slug": "vsaa",
        "short_name": "VSAA",
        "kind": "umbrella_association",
        "canton": "CH",
        "name_de": "Verband Schweizerischer Arbeitsmarktbehörden",
        "name_fr": "Association des offices suisses du travail",
        "name_it": "Associazione degli uffici svizzeri del lavoro",
        "name_en": "Association of Swiss labour-market authorities",
    },
]


def all_organisations():
    yield from cantonal_organisations()
    yield from joint_commissions()
    yield from OTHER_ORGANISATIONS


DEMO_PASSWORD = "Demo-Portal-2026!"

# email, first name, last name, language, platform operator, [(organisation slug, role)]
PEOPLE = [
    ("admin.ge@demo.example", "Claire", "Favre", "fr", False, [("ge-authority", "administrator")]),
    ("case.ge@demo.example", "Luc", "Morel", "fr", False, [("ge-authority", "case_worker")]),
    ("inspector.ge@demo.example", "Sophie", "Rochat", "fr", False, [("ge-authority", "inspector")]),
    ("reader.ge@demo.example", "Marc", "Dubois", "fr", False, [("ge-authority", "reader")]),
    ("admin.zh@demo.example", "Anna", "Meier", "de", False, [("zh-authority", "administrator")]),
    (
        "case.zh@demo.example",
        "Thomas",
        "Keller",
        "de",
        False,
        [("zh-authority", "case_worker"), ("zh-tpk", "reader")],
    ),
    ("inspector.zh@demo.example", "Sandra", "Huber", "de", False, [("zh-authority", "inspector")]),
    ("reader.zh@demo.example", "Peter", "Widmer", "de", False, [("zh-authority", "reader")]),
    ("admin.ti@demo.example", "Giulia", "Bernasconi", "it", False, [("ti-authority", "administrator")]),
    ("case.ti@demo.example", "Marco", "Rossi", "it", False, [("ti-authority", "case_worker")]),
    ("admin.pkbau@demo.example", "Urs", "Brunner", "de", False, [("pk-bau", "administrator")]),
    ("case.pkbau@demo.example", "Beatrice", "Steiner", "de", False, [("pk-bau", "case_worker")]),
    ("case.pkelektro@demo.example", "Daniel", "Frei", "de", False, [("pk-elektro", "case_worker")]),
    # A controller of a control association working for two joint commissions.
    (
        "inspector.kv@demo.example",
        "Reto",
        "Gerber",
        "de",
        False,
        [("kv-bau-nordwest", "inspector"), ("pk-bau", "inspector"), ("pk-maler", "inspector")],
    ),
    ("admin.kv@demo.example", "Nadine", "Schmid", "de", False, [("kv-bau-nordwest", "administrator")]),
    ("operator@demo.example", "Martin", "Aebi", "de", True, [("seco", "administrator")]),
    ("analyst.seco@demo.example", "Laura", "Bianchi", "it", False, [("seco", "reader")]),
    ("editor.vsaa@demo.example", "Nicole", "Jaquet", "fr", False, [("vsaa", "case_worker")]),
    ("admin.vsaa@demo.example", "Stefan", "Roth", "de", False, [("vsaa", "administrator")]),
]
