"""Write a Plone export in collective.exportimport's format by hand, large if asked: for timing.

The test fixture (tests/knowledge/plone_export) comes from a real Plone, built and exported
by scripts/plone-export.sh. This script writes the same kind of content without a Plone
(one JSON file per item, blobs in base64 and by blob path, export_translations/localroles/
redirects/defaultpages.json), plus as many extra pages as asked, to time the import:

    .venv/bin/python scripts/make_plone_fixture.py /tmp/big-export --extra-pages 2000
"""

import argparse
import base64
import hashlib
import io
import json
import os
import shutil
from pathlib import Path

from PIL import Image as PILImage

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--extra-pages", type=int, default=0, help="documents added in folders of 50, for timing")
args = parser.parse_args()
OUT = args.out
shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT + "/Plone")
SITE = "http://localhost:8080/Plone"


def dump(name, data):
    Path(f"{OUT}/{name}").write_text(json.dumps(data, indent=4))


def uid(name):
    return hashlib.md5(name.encode()).hexdigest()  # noqa: S324 (a Plone UID's shape, not security)


PORTAL = {
    "@id": SITE,
    "@type": "Plone Site",
    "UID": None,
    "description": "",
    "title": "Tripartite Kommissionen",
}
items = []
by_path = {}


def wf(states, created):
    hist = [
        {"action": None, "actor": "redaktion", "comments": "", "review_state": "private", "time": created}
    ]
    for action, state, t in states:
        hist.append(
            {"action": action, "actor": "redaktion", "comments": "", "review_state": state, "time": t}
        )
    return {"simple_publication_workflow": hist}


def add(
    path,
    type_,
    title,
    lang,
    state="published",
    created="2021-03-04T09:12:33+00:00",
    modified="2024-11-18T14:05:10+00:00",
    effective="2021-03-05T08:00:00+00:00",
    description="",
    **extra,
):
    parent_path = path.rsplit("/", 1)[0]
    parent = by_path.get(parent_path)
    pdata = (
        PORTAL
        if parent is None
        else {
            "@id": parent["@id"],
            "@type": parent["@type"],
            "UID": parent["UID"],
            "description": parent["description"],
            "review_state": parent["review_state"],
            "title": parent["title"],
        }
    )
    folderish = type_ in ("Folder", "LRF")
    item = {
        "@id": SITE + path,
        "@type": type_,
        "UID": uid(path),
        "allow_discussion": False,
        "contributors": [],
        "created": created,
        "creators": ["redaktion"],
        "description": description,
        "effective": effective if state == "published" else None,
        "exclude_from_nav": False,
        "expires": None,
        "id": path.rsplit("/", 1)[1],
        "is_folderish": folderish,
        "language": lang,
        "layout": "listing_view" if folderish else ("file_view" if type_ == "File" else "document_view"),
        "lock": {"locked": False, "stealable": True},
        "modified": modified,
        "parent": pdata,
        "review_state": state,
        "rights": "",
        "subjects": [],
        "title": title,
        "version": "current",
        "workflow_history": wf(
            [("publish", "published", effective)] if state == "published" else [], created
        ),
    }
    if type_ == "LRF":
        item["review_state"] = "published"
    item.update(extra)
    items.append(item)
    by_path[path] = item
    return item


def text(html):
    return {"content-type": "text/html", "data": html, "encoding": "utf-8"}


# language root folders of plone.app.multilingual
for lang, title in (("de", "Deutsch"), ("fr", "Français"), ("it", "Italiano")):
    add(f"/{lang}", "LRF", title, lang)

# -- German
add("/de/lohnschutz", "Folder", "Lohnschutz", "de", description="Kontrollen der Lohn- und Arbeitsbedingungen")
add("/de/lohnschutz/kontrollen", "Folder", "Kontrollen", "de")
add("/de/lohnschutz/kontrollen/verfahren", "Folder", "Verfahren", "de")
pdf = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    b"Merkblatt Lohnkontrolle \xc3\xa4\xc3\xb6\xc3\xbc\x00\x01\x02"
)
add(
    "/de/lohnschutz/merkblatt-lohnkontrolle.pdf",
    "File",
    "Merkblatt Lohnkontrolle",
    "de",
    file={
        "content-type": "application/pdf",
        "data": base64.b64encode(pdf).decode(),
        "encoding": "base64",
        "filename": "merkblatt-lohnkontrolle.pdf",
    },
)
png = io.BytesIO()
PILImage.new("RGB", (12, 8), (200, 30, 30)).save(png, "PNG")
blob_path = "0x00/0x00/0x00/0x00/0x00/0x00/0x1f/0x4a/0x03f1c2d4e5a6b7c8.blob"
os.makedirs(os.path.dirname(f"{OUT}/blobstorage/{blob_path}"))
Path(f"{OUT}/blobstorage/{blob_path}").write_bytes(png.getvalue())
add(
    "/de/lohnschutz/ablaufschema.png",
    "Image",
    "Ablaufschema",
    "de",
    image_caption="Ablauf",
    image={
        "blob_path": blob_path,
        "content-type": "image/png",
        "filename": "ablaufschema.png",
        "size": len(png.getvalue()),
    },
)
file_uid = uid("/de/lohnschutz/merkblatt-lohnkontrolle.pdf")
image_uid = uid("/de/lohnschutz/ablaufschema.png")
add(
    "/de/lohnschutz/kontrollen/verfahren/ablauf",
    "Document",
    "Ablauf einer Kontrolle",
    "de",
    description="Von der Anmeldung bis zum Kontrollbericht.",
    text=text(
        "<h1>Ablauf einer Kontrolle</h1>"
        "<p>Die Kontrolle beginnt mit der <strong>Anmeldung</strong> beim Betrieb. "
        f'Siehe das <a href="../../resolveuid/{file_uid}">Merkblatt Lohnkontrolle</a> und die '
        '<a href="https://www.tripartite-example.ch/de/lohnschutz/kontrollen">Übersicht der Kontrollen</a>.</p>'
        f'<p><img class="image-richtext image-inline" src="resolveuid/{image_uid}/@@images/image/preview" alt="Ablaufschema" /></p>'
        "<h4>Unterlagen</h4><ul><li>Lohnabrechnungen</li><li>Arbeitszeiterfassung</li></ul>"
        '<table class="plain"><thead><tr><th>Schritt</th><th>Frist</th></tr></thead>'
        "<tbody><tr><td>Anmeldung</td><td>8 Tage</td></tr><tr><td>Bericht</td><td>30 Tage</td></tr></tbody></table>"
        '<p>Rechtsgrundlage: <a href="https://www.fedlex.admin.ch/eli/cc/2003/566/de">EntsG</a>. '
        '<a href="resolveuid/0123456789abcdef0123456789abcdef">Alte Weisung</a> (gelöscht).</p>'
    ),
)
add(
    "/de/lohnschutz/aktuell",
    "News Item",
    "Neue Kontrollbeauftragte",
    "de",
    text=text(
        f'<p>Der Ablauf ist <a href="resolveuid/{uid("/de/lohnschutz/kontrollen/verfahren/ablauf")}">hier beschrieben</a>.</p>'
    ),
    image=None,
    image_caption=None,
)
add(
    "/de/lohnschutz/entwurf",
    "Document",
    "Entwurf Weisung 2025",
    "de",
    state="private",
    text=text("<p>Noch nicht freigegeben.</p>"),
)
add("/de/intern", "Folder", "Intern: Kantone", "de", state="private")
add(
    "/de/intern/sanktionen",
    "Document",
    "Sanktionspraxis der Kantone",
    "de",
    state="private",
    text=text("<p>Bussen und Dienstleistungssperren: interne Praxis der Kantone.</p>"),
)
add(
    "/de/intern/sanktionsraster.pdf",
    "File",
    "Sanktionsraster",
    "de",
    state="private",
    file={
        "content-type": "application/pdf",
        "data": base64.b64encode(pdf.replace(b"Merkblatt", b"Raster")).decode(),
        "encoding": "base64",
        "filename": "sanktionsraster.pdf",
    },
)
add("/de/pool-bau", "Folder", "Pool Bau", "de")
add(
    "/de/pool-bau/kontrollwoche-bericht",
    "Document",
    "Bericht Kontrollwoche",
    "de",
    text=text("<p>Ergebnisse der Kontrollwoche auf Grossbaustellen.</p>"),
)
add(
    "/de/schulung-2026",
    "Event",
    "Schulung Lohnkontrollen 2026",
    "de",
    start="2026-03-10T08:00:00+00:00",
    end="2026-03-10T16:00:00+00:00",
    whole_day=False,
    open_end=False,
    location="Bern, Kursaal",
    event_url="https://www.tripartite-example.ch/anmeldung",
    contact_name="Sekretariat",
    contact_email="info@tripartite-example.ch",
    contact_phone=None,
    attendees=[],
    recurrence=None,
    text=text("<p>Für neue Inspektorinnen und Inspektoren.</p>"),
)

# -- French
add("/fr/protection-des-salaires", "Folder", "Protection des salaires", "fr")
add("/fr/protection-des-salaires/controles", "Folder", "Contrôles", "fr")
add("/fr/protection-des-salaires/controles/procedure", "Folder", "Procédure", "fr")
add(
    "/fr/protection-des-salaires/controles/procedure/deroulement",
    "Document",
    "Déroulement d'un contrôle",
    "fr",
    description="De l'annonce au rapport de contrôle.",
    text=text(
        "<h2>Déroulement</h2><p>Le contrôle commence par l’<em>annonce</em> auprès de l’entreprise. "
        'Voir la <a href="http://localhost:8080/Plone/de/lohnschutz/merkblatt-lohnkontrolle.pdf/@@download/file">notice</a>.</p>'
    ),
)
add("/fr/interne", "Folder", "Interne : cantons", "fr", state="private")
add(
    "/fr/interne/sanctions",
    "Document",
    "Pratique des sanctions",
    "fr",
    state="private",
    text=text("<p>Amendes et interdictions d'offrir des services.</p>"),
)

# -- Italian
add("/it/protezione-dei-salari", "Folder", "Protezione dei salari", "it")
add("/it/protezione-dei-salari/controlli", "Folder", "Controlli", "it")
add("/it/protezione-dei-salari/controlli/procedura", "Folder", "Procedura", "it")
add(
    "/it/protezione-dei-salari/controlli/procedura/svolgimento",
    "Document",
    "Svolgimento di un controllo",
    "it",
    text=text("<p>Il controllo inizia con l'<b>annuncio</b> presso l'impresa.</p>"),
)

for number in range(args.extra_pages):
    folder = f"/de/archiv-{number // 50:03d}"
    if folder not in by_path:
        add(folder, "Folder", f"Archiv {number // 50}", "de")
    previous = f"{folder}/dokument-{number - 1:05d}"
    link = f'<a href="resolveuid/{uid(previous)}">vorher</a>' if previous in by_path else ""
    add(
        f"{folder}/dokument-{number:05d}",
        "Document",
        f"Dokument {number}",
        "de",
        text=text(
            f"<h2>Dokument {number}</h2><p>Text der Weisung {number}. {link}</p>"
            "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>"
        ),
    )

for number, item in enumerate(items, start=1):
    Path(f"{OUT}/Plone/{number}.json").write_text(json.dumps(item, sort_keys=True, indent=4))

groups = [
    ("/de/lohnschutz", "/fr/protection-des-salaires", "/it/protezione-dei-salari"),
    (
        "/de/lohnschutz/kontrollen",
        "/fr/protection-des-salaires/controles",
        "/it/protezione-dei-salari/controlli",
    ),
    (
        "/de/lohnschutz/kontrollen/verfahren",
        "/fr/protection-des-salaires/controles/procedure",
        "/it/protezione-dei-salari/controlli/procedura",
    ),
    (
        "/de/lohnschutz/kontrollen/verfahren/ablauf",
        "/fr/protection-des-salaires/controles/procedure/deroulement",
        "/it/protezione-dei-salari/controlli/procedura/svolgimento",
    ),
    ("/de/intern", "/fr/interne"),
    ("/de/intern/sanktionen", "/fr/interne/sanctions"),
]
translations = [{p.split("/")[1]: uid(p) for p in g} for g in groups]
dump("export_translations.json", translations)
localroles = [
    {"uuid": item["UID"], "localroles": {"redaktion": ["Owner"]}} for item in items if item["@type"] != "LRF"
]
for entry in localroles:
    if entry["uuid"] in (uid("/de/intern"), uid("/fr/interne")):
        entry["localroles"]["kantonale-behoerden"] = ["Reader"]
        entry["block"] = 1
    if entry["uuid"] == uid("/de/pool-bau"):
        entry["localroles"].update({"pool-bauhauptgewerbe": ["Reader"], "hans.muster": ["Reader", "Editor"]})
        entry["block"] = 1
localroles.append({"uuid": "<Portal>", "localroles": {"admin": ["Owner"]}})
dump("export_localroles.json", localroles)
dump(
    "export_redirects.json",
    {
        "/Plone/de/lohnschutz/kontrollen/verfahren/alter-ablauf": "/Plone/de/lohnschutz/kontrollen/verfahren/ablauf",
        "/Plone/de/lohnschutz/merkblatt.pdf": "/Plone/de/lohnschutz/merkblatt-lohnkontrolle.pdf",
    },
)
dump(
    "export_defaultpages.json",
    [
        {
            "uuid": uid("/de/lohnschutz/kontrollen/verfahren"),
            "default_page": "ablauf",
            "default_page_uuid": uid("/de/lohnschutz/kontrollen/verfahren/ablauf"),
        }
    ],
)
print(len(items), "items")
