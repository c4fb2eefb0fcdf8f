"""A dossier's documents as one streamed ZIP: every file byte for byte, journaled, flat memory."""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile

import pytest
from django.urls import reverse
from django.utils import translation

from portal.documents.actions import add_documents
from portal.documents.archive import archive_documents, member_names, stream_archive
from portal.documents.uploads import encrypt_stream
from portal.journal.models import Action, JournalEntry
from tests.dossiers.factories import PDF, PNG, DossierFactory, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(organisation_a):
    return DossierFactory(owner=organisation_a, reference="GE-2026-00042")


def archive_url(dossier):
    with translation.override("en"):
        return reverse("dossiers:archive", args=[dossier.pk])


def unzip(response) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_whole_dossier_downloads_as_one_zip_with_every_file_byte_for_byte(signed_in, worker_a, dossier):
    report = PDF + os.urandom(2_500_000)  # more than two encryption chunks
    photo = PNG + os.urandom(5000)
    add_documents(dossier=dossier, uploads=[upload("bericht.pdf", report)], acting_user=worker_a)
    add_documents(dossier=dossier, uploads=[upload("foto.png", photo)], acting_user=worker_a)
    response = signed_in(worker_a).get(archive_url(dossier))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="GE-2026-00042.zip"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert unzip(response) == {"bericht.pdf": report, "foto.png": photo}


def test_only_the_ticked_documents_go_into_the_zip_and_each_is_journaled(signed_in, worker_a, dossier):
    first, second, third = add_documents(
        dossier=dossier,
        uploads=[upload("a.pdf", PDF + b"a"), upload("b.pdf", PDF + b"b"), upload("c.pdf", PDF + b"c")],
        acting_user=worker_a,
    )
    before = JournalEntry.objects.count()
    response = signed_in(worker_a).get(archive_url(dossier), {"documents": [first.pk, third.pk]})
    assert unzip(response) == {"a.pdf": PDF + b"a", "c.pdf": PDF + b"c"}
    entries = JournalEntry.objects.filter(pk__gt=0).order_by("id")[before:]
    assert [(e.action, e.object_type, e.object_id) for e in entries] == [
        (Action.DOWNLOAD, "document", first.pk),
        (Action.DOWNLOAD, "document", third.pk),
    ]
    assert all(e.details["archive"] and e.actor_id == worker_a.pk for e in entries)
    assert second.pk not in [e.object_id for e in entries]


def test_documents_of_another_dossier_cannot_be_slipped_into_the_zip(
    signed_in, worker_a, dossier, organisation_a
):
    mine = add_documents(dossier=dossier, uploads=[upload("mine.pdf")], acting_user=worker_a)[0]
    other = DossierFactory(owner=organisation_a)
    foreign = add_documents(dossier=other, uploads=[upload("other.pdf")], acting_user=worker_a)[0]
    response = signed_in(worker_a).get(archive_url(dossier), {"documents": [mine.pk, foreign.pk]})
    assert list(unzip(response)) == ["mine.pdf"]


def test_another_organisation_gets_404_and_nothing_is_journaled(signed_in, worker_a, worker_b, dossier):
    add_documents(dossier=dossier, uploads=[upload("bericht.pdf")], acting_user=worker_a)
    before = JournalEntry.objects.count()
    assert signed_in(worker_b).get(archive_url(dossier)).status_code == 404
    assert JournalEntry.objects.count() == before


def test_nothing_ticked_that_exists_says_so_instead_of_an_empty_zip(signed_in, worker_a, dossier):
    add_documents(dossier=dossier, uploads=[upload("bericht.pdf")], acting_user=worker_a)
    response = signed_in(worker_a).get(archive_url(dossier), {"documents": ["999999"]}, follow=True)
    assert "Select at least one document." in response.content.decode()


def test_files_with_the_same_name_get_numbered_like_on_a_desktop(worker_a, dossier):
    add_documents(
        dossier=dossier,
        uploads=[
            upload("lohn.pdf", PDF + b"1"),
            upload("Lohn.pdf", PDF + b"2"),
            upload("lohn.pdf", PDF + b"3"),
        ],
        acting_user=worker_a,
    )
    assert member_names(archive_documents(dossier)) == ["lohn.pdf", "Lohn (2).pdf", "lohn (3).pdf"]


class _Repeating(io.RawIOBase):
    """``size`` bytes of one random block repeated, never all in memory at once."""

    def __init__(self, size: int, block: bytes):
        self.left, self.block, self.offset = size, block, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.left, len(self.block) - self.offset)
        buffer[:count] = self.block[self.offset : self.offset + count]
        self.offset = (self.offset + count) % len(self.block)
        self.left -= count
        return count


def test_memory_stays_flat_while_a_large_zip_streams(worker_a, dossier):
    size = 48 * 1024 * 1024
    block = PDF + os.urandom(3 * 1024 * 1024 + 17)
    stored = encrypt_stream(io.BufferedReader(_Repeating(size, block), 1024 * 1024), "gross.pdf")
    add_documents(dossier=dossier, uploads=[stored], acting_user=worker_a)
    chunks = stream_archive(dossier=dossier, documents=archive_documents(dossier), acting_user=worker_a)
    tracemalloc.start()
    total = 0
    try:
        for chunk in chunks:
            total += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total > size  # random data does not deflate
    assert peak < 12 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.0f} MB file"
