"""Uploading and downloading through the portal's pages, over the real request parser."""

from __future__ import annotations

import gc
import hashlib
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import UnreadablePostError
from django.test.client import BOUNDARY, MULTIPART_CONTENT, FakePayload, encode_multipart
from django.urls import reverse
from django.utils import translation

from portal.documents.models import Document
from portal.journal.models import JournalEntry
from tests.conftest import stored_files
from tests.dossiers.factories import PDF, PNG, DossierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(organisation_a):
    return DossierFactory(owner=organisation_a)


def english(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


def test_several_files_upload_at_once_and_download_byte_for_byte(
    signed_in, worker_a, dossier, document_storage
):
    report = PDF + os.urandom(300_000)
    photo = PNG + os.urandom(1000)
    client = signed_in(worker_a)
    response = client.post(
        english("dossiers:documents", dossier.pk),
        {
            "files": [
                SimpleUploadedFile("Kontrollbericht März.pdf", report),
                SimpleUploadedFile("foto.png", photo),
            ],
            "category": "control_report",
        },
    )
    assert response.status_code == 302
    documents = {d.title: d for d in Document.objects.select_related("current_version")}
    assert set(documents) == {"Kontrollbericht März.pdf", "foto.png"}
    assert len(stored_files(document_storage)) == 2
    version = documents["Kontrollbericht März.pdf"].current_version
    assert version.sha256 == hashlib.sha256(report).hexdigest()
    download = client.get(english("dossiers:download", dossier.pk, version.document_id, 1))
    assert b"".join(download.streaming_content) == report
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"] == "attachment; filename*=utf-8''Kontrollbericht%20M%C3%A4rz.pdf"
    assert download["Content-Length"] == str(len(report))
    preview = client.get(english("dossiers:preview", dossier.pk, documents["foto.png"].pk, 1))
    assert preview["Content-Disposition"].startswith("inline") and preview["Content-Type"] == "image/png"
    assert JournalEntry.objects.filter(action="download", actor=worker_a).count() == 2


def test_an_executable_named_pdf_is_refused_with_a_clear_message(
    signed_in, worker_a, dossier, document_storage
):
    response = signed_in(worker_a).post(
        english("dossiers:documents", dossier.pk),
        {"files": [SimpleUploadedFile("rechnung.pdf", b"MZ\x90\x00" + b"\x00" * 500)], "category": "other"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert "“rechnung.pdf” is not an accepted file type (it is a program)" in response.json()["errors"][0]
    assert not Document.objects.exists() and stored_files(document_storage) == []


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(
    signed_in, worker_a, dossier, settings, document_storage
):
    settings.PORTAL_UPLOAD_MAX_BYTES = 100_000
    page = (
        signed_in(worker_a)
        .post(
            english("dossiers:documents", dossier.pk),
            {"files": [SimpleUploadedFile("gross.pdf", PDF + b"0" * 200_000)], "category": "other"},
        )
        .content.decode()
    )
    assert "“gross.pdf” is larger than the limit of 97.7\xa0KB." in page
    assert not Document.objects.exists() and stored_files(document_storage) == []


def test_an_interrupted_upload_leaves_no_row_and_no_file(
    signed_in, worker_a, dossier, document_storage, settings, tmp_path, monkeypatch
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    real_read = FakePayload.read

    def dropping_read(self, size=-1):
        if size is None or size < 0 or len(self) < size:  # the client has gone
            raise UnreadablePostError("connection reset by peer")
        return real_read(self, size)

    monkeypatch.setattr(FakePayload, "read", dropping_read)
    body = encode_multipart(
        BOUNDARY, {"files": SimpleUploadedFile("a.pdf", PDF + b"x" * 500_000), "category": "other"}
    )
    cut = body[: len(body) // 2]  # the connection drops half-way through the file
    response = signed_in(worker_a).generic(
        "POST",
        english("dossiers:documents", dossier.pk),
        cut,
        content_type=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
    )
    assert response.status_code == 400
    assert "interrupted" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []
    gc.collect()
    assert [p for p in tmp_path.iterdir() if p.is_file()] == []  # no temporary file either


def test_a_reader_cannot_upload_and_nothing_is_stored(signed_in, reader_a, dossier, document_storage):
    response = signed_in(reader_a).post(
        english("dossiers:documents", dossier.pk), {"files": [SimpleUploadedFile("a.pdf", PDF)]}
    )
    assert response.status_code == 403
    assert stored_files(document_storage) == []


def test_a_new_version_through_the_page_keeps_the_old_one_downloadable(signed_in, worker_a, dossier):
    client = signed_in(worker_a)
    client.post(
        english("dossiers:documents", dossier.pk),
        {"files": [SimpleUploadedFile("v.pdf", PDF + b"one")], "category": "other"},
    )
    document = Document.objects.get()
    client.post(
        english("dossiers:document", dossier.pk, document.pk),
        {"file": SimpleUploadedFile("v.pdf", PDF + b"two")},
    )
    first = client.get(english("dossiers:download", dossier.pk, document.pk, 1))
    second = client.get(english("dossiers:download", dossier.pk, document.pk, 2))
    assert b"".join(first.streaming_content).endswith(b"one")
    assert b"".join(second.streaming_content).endswith(b"two")


def test_a_message_with_an_attachment_adds_a_document_and_tracks_unread(
    signed_in, worker_a, reader_a, dossier
):
    signed_in(worker_a).post(
        english("dossiers:messages", dossier.pk),
        {
            "body": "Bitte Lohnabrechnungen prüfen.",
            "attachments": [SimpleUploadedFile("lohn.csv", b"name;lohn\nA;1\n")],
        },
    )
    document = Document.objects.get()
    assert document.message is not None and document.category == "correspondence"
    page = signed_in(reader_a).get(english("dossiers:messages", dossier.pk)).content.decode()
    assert "Bitte Lohnabrechnungen prüfen." in page and "thread__message--unread" in page
    again = signed_in(reader_a).get(english("dossiers:messages", dossier.pk)).content.decode()
    assert "thread__message--unread" not in again
    assert (
        signed_in(reader_a).post(english("dossiers:messages", dossier.pk), {"body": "Ich auch"}).status_code
        == 403
    )
    assert dossier.messages.count() == 1  # a reader may read, not write


HTML = b"<!DOCTYPE html>\n<html><head><title>Rechnung</title></head><body><script>alert(1)</script></body></html>\n"


def _upload(client, dossier, *files):
    return client.post(
        english("dossiers:documents", dossier.pk),
        {"files": list(files), "category": "other"},
        headers={"Accept": "application/json"},
    )


@pytest.mark.parametrize("name", ["x.pdf", "seite.html", "seite"])
def test_html_is_refused_whatever_its_name(signed_in, worker_a, dossier, document_storage, name):
    response = _upload(signed_in(worker_a), dossier, SimpleUploadedFile(name, HTML))
    assert response.status_code == 400
    message = response.json()["errors"][0]
    assert f"“{name}” is not an accepted file type (it is a web page (HTML))" in message
    assert "HTML" not in message.split("Accepted are")[1]
    assert not Document.objects.exists() and stored_files(document_storage) == []


def test_a_name_that_contradicts_the_content_is_refused_naming_the_file(
    signed_in, worker_a, dossier, document_storage
):
    response = _upload(signed_in(worker_a), dossier, SimpleUploadedFile("bericht.pdf", b"Nur Text.\n" * 50))
    assert response.status_code == 400
    assert response.json()["errors"][0] == (
        "“bericht.pdf” is named like a PDF file, but its content is Text. Give it a name that "
        "matches its content (or choose the right file)."
    )
    assert not Document.objects.exists() and stored_files(document_storage) == []


@pytest.mark.parametrize("name", ["start.bat", "hilfe.js", "bild.svg"])
def test_text_under_a_name_the_computer_would_run_is_refused(
    signed_in, worker_a, dossier, document_storage, name
):
    response = _upload(signed_in(worker_a), dossier, SimpleUploadedFile(name, b"echo Lohnliste\n" * 20))
    assert response.status_code == 400
    extension = name.rsplit(".", 1)[1]
    assert response.json()["errors"][0].startswith(f"“{name}” is named like a .{extension} file")
    assert not Document.objects.exists() and stored_files(document_storage) == []


def test_names_that_agree_with_the_content_are_kept(signed_in, worker_a, dossier, document_storage):
    files = [
        SimpleUploadedFile("liste.txt", b"Name;Lohn\nMuster;4200\n" * 20),  # text or CSV alike
        SimpleUploadedFile("notiz", b"Ohne Endung.\n" * 20),  # no extension: nothing to contradict
        SimpleUploadedFile("protokoll.log", b"Ein Protokoll.\n" * 20),  # an extension nobody types
        SimpleUploadedFile("scan.jpg", PNG + os.urandom(500)),  # one image for another
        SimpleUploadedFile("BERICHT.PDF", PDF),
    ]
    response = _upload(signed_in(worker_a), dossier, *files)
    assert response.status_code in (200, 201, 302), response.content
    assert set(Document.objects.values_list("current_version__file_name", flat=True)) == {
        "liste.txt",
        "notiz",
        "protokoll.log",
        "scan.jpg",
        "BERICHT.PDF",
    }


def test_a_successful_upload_names_the_files_with_and_without_javascript(signed_in, worker_a, dossier):
    client = signed_in(worker_a)
    url = english("dossiers:documents", dossier.pk)
    files = {"files": [SimpleUploadedFile("bericht.pdf", PDF), SimpleUploadedFile("foto.png", PNG)]}
    page = client.post(url, files | {"category": "other"}, follow=True).content.decode()
    assert "2 documents added: bericht.pdf, foto.png" in page
    answer = client.post(
        url,
        {"files": [SimpleUploadedFile("lohn.pdf", PDF)], "category": "other"},
        headers={"Accept": "application/json"},
    ).json()
    assert answer["ok"] and answer["message"] == "1 document added: lohn.pdf"
    assert (
        "1 document added: lohn.pdf" in client.get(answer["redirect"]).content.decode()
    )  # after JS redirects


def test_a_refusal_shows_the_same_markup_with_and_without_javascript(signed_in, worker_a, dossier):
    client = signed_in(worker_a)
    url = english("dossiers:documents", dossier.pk)

    def post(**headers):
        return client.post(
            url,
            {
                "files": [SimpleUploadedFile("seite.pdf", b"<html><script>x</script></html>")],
                "category": "other",
            },
            headers=headers,
        )

    without = post()
    page = without.content.decode()
    assert without.status_code == 400, page[page.find("<main") :][:3000]
    answer = post(Accept="application/json").json()
    assert not answer["ok"] and answer["html"].strip()
    assert "seite.pdf" in answer["html"]
    assert f"<div data-upload-errors>{answer['html']}</div>" in page
    assert page.count('role="alert"') == 1  # said once, not twice
    assert not Document.objects.exists()
