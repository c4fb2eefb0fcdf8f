"""Build a Plone site with representative content and export it with collective.exportimport.

Run by ``scripts/plone-export.sh`` inside Plone's own virtual environment, through
``zconsole run ZOPE_CONF scripts/plone/build_and_export.py``: Zope hands the script its
application root as ``app``. The export folder is ``$COLLECTIVE_EXPORTIMPORT_CENTRAL_DIRECTORY``
(the add-on's own setting for "save to server").

The content is the knowledge section's migration case in miniature: three levels of
folders in German, French and Italian linked as translations (plone.app.multilingual), a
file, an image, a news item, an event, a private draft, a restricted folder (local roles
for a group, inheritance blocked) with private items, a pool's folder, rich text with
headings, a table, an image, ``resolveuid`` links, absolute links and a link to a deleted
item, two items renamed after creation (so Plone's redirect storage holds their old addresses), a default
page and a relation. UIDs and dates are fixed, so each run writes the same content.

Everything but images is exported with blobs in base64 (folder ``Plone/``, one file per
item); images with blob paths (folder ``Image/``), their blobs copied to ``blobstorage/``:
both ways the add-on writes blobs.
"""

import hashlib
import io
import json
import os
import shutil
from datetime import UTC, datetime

import transaction
from AccessControl.SecurityManagement import newSecurityManager
from DateTime import DateTime
from PIL import Image as PILImage
from plone import api
from plone.app.multilingual.interfaces import IMutableTG, ITranslationManager
from plone.app.textfield.value import RichTextValue
from plone.browserlayer.utils import registered_layers
from plone.namedfile.file import NamedBlobFile, NamedBlobImage
from plone.uuid.interfaces import IMutableUUID
from Products.CMFPlone.factory import addPloneSite
from Testing.makerequest import makerequest
from z3c.relationfield import RelationValue
from zope.component import getUtility
from zope.component.hooks import setSite
from zope.event import notify
from zope.globalrequest import setRequest
from zope.interface import alsoProvides
from zope.intid.interfaces import IIntIds
from zope.lifecycleevent import ObjectModifiedEvent

OUT = os.environ["COLLECTIVE_EXPORTIMPORT_CENTRAL_DIRECTORY"]
CREATED = "2021-03-04T09:12:33+00:00"
MODIFIED = "2024-11-18T14:05:10+00:00"
# Entered in the site's time zone, as an editor would: Plone exports it without a zone.
EFFECTIVE = "2021-03-05T09:00:00+01:00"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    b"Merkblatt Lohnkontrolle \xc3\xa4\xc3\xb6\xc3\xbc\x00\x01\x02"
)


def uid(path):
    """A fixed UID per path (a Plone UID's shape), so every run exports the same UIDs."""
    return hashlib.md5(path.encode()).hexdigest()  # noqa: S324


# -- the Zope application, a request as if from http://localhost:8080, the admin ------------

app = makerequest(app)  # noqa: F821
request = app.REQUEST
request.setServerURL("http", "localhost", "8080")  # the items' @id: http://localhost:8080/Plone/...
setRequest(request)
admin = app.acl_users.getUserById("admin")
newSecurityManager(None, admin.__of__(app.acl_users))

site = addPloneSite(
    app,
    "Plone",
    title="Tripartite Kommissionen",
    setup_content=False,
    default_language="de",
    portal_timezone="Europe/Zurich",
    extension_ids=("plone.app.contenttypes:default",),
)
setSite(site)
api.portal.set_registry_record("plone.available_languages", ["de", "fr", "it"])
site.portal_setup.runAllImportStepsFromProfile("profile-plone.app.multilingual:default")
alsoProvides(request, *registered_layers())
transaction.commit()

api.group.create(groupname="kantonale-behoerden", title="Kantonale Behörden")
api.group.create(groupname="pool-bauhauptgewerbe", title="Pool Bauhauptgewerbe")
PASSWORD = "Plone-Fixture-2026!"  # noqa: S105 (a throw-away site on localhost, never served)
api.user.create(email="hans.muster@example.ch", username="hans.muster", password=PASSWORD)
api.user.create(
    email="redaktion@example.ch",
    username="redaktion",
    password=PASSWORD,
    roles=("Site Administrator",),
)

made = []  # (object, review state) in creation order


def fix_uid(obj, path):
    """Fixed UIDs and translation groups, so that each run writes the same export."""
    IMutableUUID(obj).set(uid(path))
    if path != "/":
        IMutableTG(obj).set(uid("translation-group:" + path))
    obj.reindexObject(idxs=["UID", "TranslationGroup"])


def add(path, type_, title, state="published", text=None, old_id=None, **fields):
    """Create the item at ``path``; with ``old_id``, under that id first, then renamed."""
    parent_path, name = path.rsplit("/", 1)
    container = site.unrestrictedTraverse(parent_path.lstrip("/"))
    if text is not None:
        fields["text"] = RichTextValue(text, "text/html", "text/x-html-safe")
    obj = api.content.create(container=container, type=type_, id=old_id or name, title=title, **fields)
    if old_id:
        transaction.savepoint(optimistic=True)
        obj = api.content.rename(obj=obj, new_id=name)  # plone.app.redirector keeps the old path
    fix_uid(obj, path)
    made.append((obj, state))
    return obj


with api.env.adopt_user(username="redaktion"):
    fix_uid(site, "/")
    for language in ("de", "fr", "it"):
        fix_uid(site[language], f"/{language}")
        for name, child in site[language].objectItems():  # plone.app.multilingual's "assets" folders
            fix_uid(child, f"/{language}/{name}")

    # -- German ------------------------------------------------------------------------
    lohnschutz = add(
        "/de/lohnschutz", "Folder", "Lohnschutz", description="Kontrollen der Lohn- und Arbeitsbedingungen"
    )
    kontrollen = add("/de/lohnschutz/kontrollen", "Folder", "Kontrollen")
    verfahren = add("/de/lohnschutz/kontrollen/verfahren", "Folder", "Verfahren")
    add(
        "/de/lohnschutz/merkblatt-lohnkontrolle.pdf",
        "File",
        "Merkblatt Lohnkontrolle",
        old_id="merkblatt.pdf",
        file=NamedBlobFile(data=PDF, contentType="application/pdf", filename="merkblatt-lohnkontrolle.pdf"),
    )
    png = io.BytesIO()
    PILImage.new("RGB", (12, 8), (200, 30, 30)).save(png, "PNG")
    add(
        "/de/lohnschutz/ablaufschema.png",
        "Image",
        "Ablaufschema",
        image=NamedBlobImage(data=png.getvalue(), contentType="image/png", filename="ablaufschema.png"),
    )
    file_uid = uid("/de/lohnschutz/merkblatt-lohnkontrolle.pdf")
    image_uid = uid("/de/lohnschutz/ablaufschema.png")
    ablauf = add(
        "/de/lohnschutz/kontrollen/verfahren/ablauf",
        "Document",
        "Ablauf einer Kontrolle",
        old_id="alter-ablauf",
        description="Von der Anmeldung bis zum Kontrollbericht.",
        text=(
            "<h1>Ablauf einer Kontrolle</h1>"
            "<p>Die Kontrolle beginnt mit der <strong>Anmeldung</strong> beim Betrieb. "
            f'Siehe das <a href="../../resolveuid/{file_uid}">Merkblatt Lohnkontrolle</a> und die '
            '<a href="https://www.tripartite-example.ch/de/lohnschutz/kontrollen">Übersicht der Kontrollen</a>.</p>'
            f'<p><img class="image-richtext image-inline" src="resolveuid/{image_uid}/@@images/image/preview" '
            'alt="Ablaufschema" /></p>'
            "<h4>Unterlagen</h4><ul><li>Lohnabrechnungen</li><li>Arbeitszeiterfassung</li></ul>"
            '<table class="plain"><thead><tr><th>Schritt</th><th>Frist</th></tr></thead>'
            "<tbody><tr><td>Anmeldung</td><td>8 Tage</td></tr><tr><td>Bericht</td><td>30 Tage</td></tr>"
            "</tbody></table>"
            '<p>Rechtsgrundlage: <a href="https://www.fedlex.admin.ch/eli/cc/2003/566/de">EntsG</a>. '
            '<a href="resolveuid/0123456789abcdef0123456789abcdef">Alte Weisung</a> (gelöscht).</p>'
        ),
    )
    aktuell = add(
        "/de/lohnschutz/aktuell",
        "News Item",
        "Neue Kontrollbeauftragte",
        text=f'<p>Der Ablauf ist <a href="resolveuid/{ablauf.UID()}">hier beschrieben</a>.</p>',
    )
    add(
        "/de/lohnschutz/entwurf",
        "Document",
        "Entwurf Weisung 2025",
        state="private",
        text="<p>Noch nicht freigegeben.</p>",
    )
    intern = add("/de/intern", "Folder", "Intern: Kantone", state="private")
    add(
        "/de/intern/sanktionen",
        "Document",
        "Sanktionspraxis der Kantone",
        state="private",
        text="<p>Bussen und Dienstleistungssperren: interne Praxis der Kantone.</p>",
    )
    add(
        "/de/intern/sanktionsraster.pdf",
        "File",
        "Sanktionsraster",
        state="private",
        file=NamedBlobFile(
            data=PDF.replace(b"Merkblatt", b"Raster"),
            contentType="application/pdf",
            filename="sanktionsraster.pdf",
        ),
    )
    pool = add("/de/pool-bau", "Folder", "Pool Bau")
    add(
        "/de/pool-bau/kontrollwoche-bericht",
        "Document",
        "Bericht Kontrollwoche",
        text="<p>Ergebnisse der Kontrollwoche auf Grossbaustellen.</p>",
    )
    add(
        "/de/schulung-2026",
        "Event",
        "Schulung Lohnkontrollen 2026",
        start=datetime(2026, 3, 10, 8, 0, tzinfo=UTC),
        end=datetime(2026, 3, 10, 16, 0, tzinfo=UTC),
        location="Bern, Kursaal",
        event_url="https://www.tripartite-example.ch/anmeldung",
        contact_name="Sekretariat",
        contact_email="info@tripartite-example.ch",
        text="<p>Für neue Inspektorinnen und Inspektoren.</p>",
    )

    # -- French ------------------------------------------------------------------------
    add("/fr/protection-des-salaires", "Folder", "Protection des salaires")
    add("/fr/protection-des-salaires/controles", "Folder", "Contrôles")
    add("/fr/protection-des-salaires/controles/procedure", "Folder", "Procédure")
    add(
        "/fr/protection-des-salaires/controles/procedure/deroulement",
        "Document",
        "Déroulement d'un contrôle",
        description="De l'annonce au rapport de contrôle.",
        text=(
            "<h2>Déroulement</h2><p>Le contrôle commence par l’<em>annonce</em> auprès de l’entreprise. "
            'Voir la <a href="http://localhost:8080/Plone/de/lohnschutz/merkblatt-lohnkontrolle.pdf/@@download/file">'
            "notice</a>.</p>"
        ),
    )
    interne = add("/fr/interne", "Folder", "Interne : cantons", state="private")
    add(
        "/fr/interne/sanctions",
        "Document",
        "Pratique des sanctions",
        state="private",
        text="<p>Amendes et interdictions d'offrir des services.</p>",
    )

    # -- Italian -----------------------------------------------------------------------
    add("/it/protezione-dei-salari", "Folder", "Protezione dei salari")
    add("/it/protezione-dei-salari/controlli", "Folder", "Controlli")
    add("/it/protezione-dei-salari/controlli/procedura", "Folder", "Procedura")
    add(
        "/it/protezione-dei-salari/controlli/procedura/svolgimento",
        "Document",
        "Svolgimento di un controllo",
        text="<p>Il controllo inizia con l'<b>annuncio</b> presso l'impresa.</p>",
    )

    # -- translations (plone.app.multilingual) ---------------------------------------------
    for group in (
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
    ):
        original = site.unrestrictedTraverse(group[0].lstrip("/"))
        manager = ITranslationManager(original)
        for path in group[1:]:
            manager.register_translation(path.split("/")[1], site.unrestrictedTraverse(path.lstrip("/")))

    # -- access: a cantons-only folder and a pool's folder, inheritance blocked ------------
    for folder in (intern, interne):
        folder.manage_setLocalRoles("kantonale-behoerden", ["Reader"])
        folder.__ac_local_roles_block__ = True
        folder.reindexObjectSecurity()
    pool.manage_setLocalRoles("pool-bauhauptgewerbe", ["Reader"])
    pool.manage_setLocalRoles("hans.muster", ["Reader", "Editor"])
    pool.__ac_local_roles_block__ = True
    pool.reindexObjectSecurity()

    # -- a default page and a relation ----------------------------------------------------
    verfahren.setDefaultPage("ablauf")
    aktuell.relatedItems = [RelationValue(getUtility(IIntIds).getId(ablauf))]
    notify(ObjectModifiedEvent(aktuell))

    # -- review states, then the fixed dates (transitions and edits set "now") -------------
    workflows = api.portal.get_tool("portal_workflow")
    for obj, state in made:
        # Files and images have no workflow of their own in Plone 6: their folder's state counts.
        if state == "published" and workflows.getWorkflowsFor(obj):
            api.content.transition(obj=obj, transition="publish")
    transaction.commit()


for obj, state in [(site[language], "published") for language in ("de", "fr", "it")] + made:
    for history in obj.workflow_history.values():  # the transitions' times, fixed as well
        for entry in history:
            entry["time"] = DateTime(EFFECTIVE if entry.get("action") else CREATED)
    obj.workflow_history._p_changed = True
    obj.creation_date = DateTime(CREATED)
    if state == "published":
        obj.setEffectiveDate(DateTime(EFFECTIVE))
    obj.setModificationDate(DateTime(MODIFIED))
    obj.reindexObject(idxs=["created", "effective", "modified"])
transaction.commit()

# -- the export --------------------------------------------------------------------------


def export(view, **options):
    request.form.clear()
    request.form.update({"form.submitted": True, **options.pop("form", {})})
    request.other["ACTUAL_URL"] = site.absolute_url()
    site.restrictedTraverse(view)(**options)


types = ["LRF", "Folder", "Document", "News Item", "Event", "File"]
export(
    "@@export_content",
    portal_type=types,
    include_blobs=1,
    download_to_server=2,
    form={"filename": "Plone.json"},
)
export(
    "@@export_content",
    portal_type=["Image"],
    include_blobs=2,
    download_to_server=2,
    form={"filename": "Image.json"},
)
for view in ("@@export_translations", "@@export_localroles", "@@export_redirects", "@@export_defaultpages"):
    export(view, download_to_server=True)
export("@@export_relations", download_to_server=True)

# Images were exported with their blob paths: copy those blobs next to the export.
storage = app._p_jar.db().storage
blob_dir = storage.fshelper.base_dir
for name in sorted(os.listdir(os.path.join(OUT, "Image"))):
    with open(os.path.join(OUT, "Image", name)) as file:
        item = json.load(file)
    blob_path = item["image"]["blob_path"]
    target = os.path.join(OUT, "blobstorage", blob_path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(os.path.join(blob_dir, blob_path), target)
print("exported", sorted(os.listdir(OUT)))
