"""Documents at rest: encrypted per file, readable back, rotatable, never half-stored."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from portal.documents.actions import add_documents, add_version, read_version, sweep_orphans
from portal.documents.crypto import CHUNK, DecryptionError, decrypt_stream, keyring
from portal.documents.models import Document, DocumentVersion
from portal.documents.uploads import encrypt_stream
from tests.conftest import stored_files
from tests.dossiers.factories import PDF, PNG, DossierFactory, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Refusal messages are asserted in English (outside a request the default is German)."""
    with translation.override("en"):
        yield


@pytest.fixture
def dossier(organisation_a):
    return DossierFactory(owner=organisation_a)


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_stored_bytes_are_not_the_plaintext_and_download_returns_the_original(
    dossier, worker_a, document_storage
):
    content = PDF + os.urandom(3 * CHUNK + 17)  # several chunks, the last one short
    [document] = add_documents(
        dossier=dossier, uploads=[upload("kontrolle.pdf", content)], acting_user=worker_a
    )
    version = document.current_version
    [blob] = stored_files(document_storage)
    stored = blob.read_bytes()
    assert content[:64] not in stored and b"%PDF" not in stored
    assert b"".join(read_version(version)) == content
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert (version.size, version.content_type, version.file_name) == (
        len(content),
        "application/pdf",
        "kontrolle.pdf",
    )


def test_tampered_or_truncated_files_do_not_decrypt(dossier, worker_a, document_storage):
    [document] = add_documents(
        dossier=dossier, uploads=[upload(content=PDF + os.urandom(CHUNK))], acting_user=worker_a
    )
    [blob] = stored_files(document_storage)
    data_key = keyring().unwrap(document.current_version.key_id, document.current_version.wrapped_key)
    original = blob.read_bytes()
    flipped = bytearray(original)
    flipped[40] ^= 1
    with pytest.raises(DecryptionError):
        b"".join(decrypt_stream(io.BytesIO(bytes(flipped)), data_key))
    with pytest.raises(DecryptionError):
        b"".join(decrypt_stream(io.BytesIO(original[: 12 + CHUNK + 16]), data_key))  # last chunk cut off


def test_after_rotating_the_master_key_every_file_still_opens(dossier, worker_a, settings, document_storage):
    settings.PORTAL_FILE_KEYS = [f"old:{_key()}"]
    contents = [PDF + os.urandom(100), PNG + os.urandom(100)]
    documents = add_documents(
        dossier=dossier,
        uploads=[upload("a.pdf", contents[0]), upload("b.png", contents[1])],
        acting_user=worker_a,
    )
    before = {p: p.read_bytes() for p in stored_files(document_storage)}
    settings.PORTAL_FILE_KEYS = [f"new:{_key()}", settings.PORTAL_FILE_KEYS[0]]
    out = io.StringIO()
    call_command("rotate_file_keys", stdout=out)
    assert "2" in out.getvalue()
    assert set(DocumentVersion.objects.values_list("key_id", flat=True)) == {"new"}
    assert {p: p.read_bytes() for p in stored_files(document_storage)} == before  # files not rewritten
    settings.PORTAL_FILE_KEYS = settings.PORTAL_FILE_KEYS[:1]  # the old key may now go
    for document, content in zip(documents, contents, strict=True):
        document.refresh_from_db()
        assert b"".join(read_version(document.current_version)) == content


def test_an_executable_named_pdf_is_refused_and_nothing_is_stored(dossier, worker_a, document_storage):
    program = upload("rapport.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 300)
    assert "not an accepted file type" in program.refusal and "program" in program.refusal
    with pytest.raises(ValidationError) as error:
        add_documents(dossier=dossier, uploads=[upload(), program], acting_user=worker_a)
    assert "rapport.pdf" in str(error.value)
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


def test_a_file_over_the_limit_is_refused_with_the_limit_named(dossier, worker_a, document_storage):
    big = upload("gross.pdf", PDF + b"0" * 2048, max_bytes=1024)
    assert big.refusal.startswith("“gross.pdf” is larger than the limit of 1") and "KB" in big.refusal
    with pytest.raises(ValidationError):
        add_documents(dossier=dossier, uploads=[big], acting_user=worker_a)
    assert not Document.objects.exists() and stored_files(document_storage) == []


def test_accepted_types_are_recognised_from_content_not_name(tmp_path):
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as archive:  # laid out as Word writes it
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    cases = {
        "bericht.odt": (odt.getvalue(), "application/vnd.oasis.opendocument.text"),
        "lohn.csv": (b"name;lohn\nMuster;4500\n", "text/csv"),
        "mail.eml": (
            b"From: a@b.ch\nTo: c@d.ch\nSubject: Kontrolle\nDate: Mon, 1 Jan 2026\n\nText",
            "message/rfc822",
        ),
        "foto.dat": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100, "image/jpeg"),
        "bericht.docx": (
            docx.getvalue(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    }
    for name, (content, expected) in cases.items():
        result = upload(name, content)
        assert (result.refusal, result.content_type) == (None, expected), name
    assert "archive" in upload("x.pdf", _plain_zip()).refusal


def _plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x")
    return buffer.getvalue()


def test_a_new_version_keeps_the_earlier_ones(dossier, worker_a):
    [document] = add_documents(dossier=dossier, uploads=[upload("v1.pdf", PDF + b"1")], acting_user=worker_a)
    version = add_version(document=document, upload=upload("v2.pdf", PDF + b"2"), acting_user=worker_a)
    document.refresh_from_db()
    assert version.number == 2 and document.current_version == version
    assert [b"".join(read_version(v))[-1:] for v in document.versions.all()] == [b"2", b"1"]


def test_a_failure_after_storing_leaves_no_row_and_no_file(dossier, worker_a, document_storage, monkeypatch):
    from portal.documents import actions

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(actions, "touch", broken)
    with pytest.raises(RuntimeError):
        add_documents(dossier=dossier, uploads=[upload(), upload("b.pdf")], acting_user=worker_a)
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


def test_the_sweep_removes_blobs_no_version_refers_to(dossier, worker_a, document_storage):
    from django.utils import timezone

    [document] = add_documents(dossier=dossier, uploads=[upload()], acting_user=worker_a)
    orphan = document_storage / "ff" / "orphan.enc"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left behind by a crash")
    removed = sweep_orphans(older_than=timezone.now() + timezone.timedelta(seconds=5))
    assert removed == ["ff/orphan.enc"]
    assert b"".join(read_version(document.current_version)) == PDF


def test_encrypt_stream_accepts_an_empty_file_only_to_refuse_it():
    assert encrypt_stream(io.BytesIO(b""), "leer.pdf").refusal == "“leer.pdf” is empty."


def test_the_sweep_finds_orphans_at_any_depth_and_keeps_open_uploads(dossier, admin_a, document_storage):
    from django.utils import timezone

    from portal.api.clients import register_client
    from portal.api.models import UploadSession
    from portal.api.uploads import open_session

    client, _secret = register_client(
        organisation=dossier.owner, acting_user=admin_a, name="Fallsoftware", scopes=["write"]
    )
    session = open_session(
        client=client,
        dossier=dossier,
        document=None,
        file_name="a.txt",
        size=10,
        sha256="0" * 64,
        title="",
        category="",
    )
    kept = document_storage / "uploads" / session.pk.hex / "000000000000000.part"
    gone = document_storage / "uploads" / ("0" * 32) / "000000000000000.part"  # session gone
    deeper = document_storage / "ab" / "cd" / "left.enc"
    for path in (kept, gone, deeper):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"encrypted piece")
    UploadSession.objects.filter(pk=session.pk).update(
        parts=[f"uploads/{session.pk.hex}/000000000000000.part"]
    )
    removed = sweep_orphans(older_than=timezone.now() + timezone.timedelta(seconds=5))
    assert removed == ["ab/cd/left.enc", f"uploads/{'0' * 32}/000000000000000.part"]
    assert kept.exists() and not gone.exists() and not deeper.exists()
