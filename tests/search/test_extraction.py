"""Text extraction: every accepted format gives its words; a bad file fails with a visible
reason, stays downloadable, and never blocks the queue."""

from __future__ import annotations

import email.message
import io
import time
import zipfile

import pytest
from django.urls import reverse
from django.utils import translation

from portal.documents.actions import add_documents
from search import extract
from search.extract import extract_version
from search.models import ExtractionStatus
from search.service import search
from tests.dossiers.factories import DossierFactory, upload
from tests.search.conftest import FIXTURES, settle

pytestmark = pytest.mark.django_db


def docx(body_xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body_xml}</w:body></w:document>",
        )
    return buffer.getvalue()


def odt(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED
        )
        archive.writestr(
            "content.xml",
            '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
            f"<text:p>{text}</text:p></office:text></office:body></office:document-content>",
        )
    return buffer.getvalue()


def eml() -> bytes:
    message = email.message.EmailMessage()
    message["Subject"] = "Nachforderung Arbeitsrapporte"
    message["From"] = "kontrolle@example.ch"
    message["To"] = "firma@example.ch"
    message.set_content("Guten Tag, bitte senden Sie die Stundenrapporte.")
    message.add_alternative("<p>Guten Tag, <b>Stundenrapporte</b></p><script>x()</script>", subtype="html")
    message.add_attachment(
        b"Beilage: Spesenabrechnung Juli", maintype="text", subtype="plain", filename="beilage.txt"
    )
    return bytes(message)


def stored(dossier, user, name, content):
    [document] = add_documents(dossier=dossier, uploads=[upload(name, content)], acting_user=user)
    extracted = extract_version(document.current_version)
    return document, extracted


@pytest.mark.parametrize(
    ("name", "content", "word"),
    [
        ("bericht.docx", docx("<w:p><w:r><w:t>Entsendebetrieb</w:t></w:r></w:p>"), "Entsendebetrieb"),
        ("bericht.odt", odt("Gesamtarbeitsvertrag"), "Gesamtarbeitsvertrag"),
        ("mail.eml", eml(), "Spesenabrechnung"),
        ("liste.csv", "Name;Lohn\nMüller;4200\n".encode(), "Müller"),
        ("scan.pdf", (FIXTURES / "scan.pdf").read_bytes(), "Schalungsarbeiten"),
    ],
)
def test_each_format_yields_its_words(organisation_a, admin_a, name, content, word):
    _document, extracted = stored(DossierFactory(owner=organisation_a), admin_a, name, content)
    assert extracted.status == ExtractionStatus.DONE, (extracted.reason, extracted.detail)
    assert word in extracted.text
    assert extracted.ocr == name.endswith(".pdf")


def test_email_html_drops_scripts_and_reads_attachments(organisation_a, admin_a):
    _document, extracted = stored(DossierFactory(owner=organisation_a), admin_a, "mail.eml", eml())
    assert "Nachforderung Arbeitsrapporte" in extracted.text
    assert "x()" not in extracted.text


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (60 * 1024 * 1024) + b"</w:document>")
    return buffer.getvalue()


def corrupt_docx() -> bytes:
    whole = docx("<w:p><w:r><w:t>" + "Text " * 2000 + "</w:t></w:r></w:p>")
    return whole[: len(whole) * 2 // 3]


@pytest.mark.parametrize(
    ("name", "content", "reason", "shown"),
    [
        (
            "geschuetzt.pdf",
            (FIXTURES / "encrypted.pdf").read_bytes(),
            "encrypted",
            "the file is password-protected",
        ),
        ("bombe.docx", zip_bomb(), "zip bomb", "the file would expand to an unreasonable size"),
        ("kaputt.docx", corrupt_docx(), "corrupt", "the file is damaged or not what its type says"),
    ],
)
def test_bad_files_fail_extraction_visibly_and_stay_downloadable(
    organisation_a, admin_a, signed_in, name, content, reason, shown
):
    dossier = DossierFactory(owner=organisation_a)
    document, extracted = stored(dossier, admin_a, name, content)
    assert extracted.status == ExtractionStatus.FAILED
    assert extracted.reason == reason
    client = signed_in(admin_a)
    download = client.get(reverse("dossiers:download", args=[dossier.pk, document.pk, 1]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    with translation.override("en"):
        page = client.get(f"/en/dossiers/{dossier.pk}/documents/{document.pk}/")
    assert f"Not searchable: {shown}" in page.content.decode()
    # The rest of the queue goes on, and the document is still found by its title.
    settle(extract=False)
    assert [hit.key for hit in search(admin_a, name.split(".")[0]).results.hits] == [
        f"document:{document.pk}"
    ]


def test_a_hanging_file_is_stopped_by_the_time_limit(organisation_a, admin_a, settings, monkeypatch):
    """A file whose reading never finishes (a stalled store): the child waits for the rest and
    is killed at the time limit. (It used to be a scan that OCR could not read within a
    second, which a quiet machine sometimes did: a test at the mercy of the clock.)"""
    settings.PORTAL_EXTRACT_TIMEOUT = 1

    def stalled(version):
        yield b"%PDF-1.4\n"
        time.sleep(3)

    [document] = add_documents(
        dossier=DossierFactory(owner=organisation_a),
        uploads=[upload("scan.pdf", (FIXTURES / "scan.pdf").read_bytes())],
        acting_user=admin_a,
    )
    monkeypatch.setattr(extract, "read_version", stalled)
    started = time.monotonic()
    extracted = extract_version(document.current_version)
    assert extracted.status == ExtractionStatus.FAILED
    assert extracted.reason == "timeout"
    assert time.monotonic() - started < 10
