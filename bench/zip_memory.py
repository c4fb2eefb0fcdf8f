"""A whole dossier downloaded as one ZIP through the portal's view: peak memory growth.

Stores ``--files`` encrypted documents of ``--megabytes`` in all (random data, which does not
deflate), then sends ``GET /de/dossiers/<id>/documents/zip/`` through Django's WSGI handler
and reads the streamed answer chunk by chunk, as a web server would. Reported: the ZIP's
size, the time, and the growth of the peak resident set (VmHWM) over the resident set
before the download. The ZIP's central directory is checked: every member, its size and
its CRC-32 as computed from the original bytes.

    .venv/bin/python bench/zip_memory.py [--megabytes 1024] [--files 4]
"""

from __future__ import annotations

import argparse
import io
import os
import struct
import time
import zlib

from common import bench_database
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from upload_memory import memory_kb, reset_peak

from portal.documents.actions import add_documents, storage
from portal.documents.uploads import encrypt_stream

BLOCK = os.urandom(4 * 1024 * 1024 + 13)


class Repeating(io.RawIOBase):
    """``size`` bytes of one random block repeated (never all in memory), CRC kept as read."""

    def __init__(self, size: int, head: bytes):
        self.left, self.offset, self.crc = size, 0, 0
        self.pending = head

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.pending:
            count = min(len(buffer), len(self.pending))
            piece, self.pending = self.pending[:count], self.pending[count:]
        else:
            count = min(len(buffer), self.left, len(BLOCK) - self.offset)
            piece = BLOCK[self.offset : self.offset + count]
            self.offset = (self.offset + count) % len(BLOCK)
        self.left -= count
        buffer[:count] = piece
        self.crc = zlib.crc32(piece, self.crc)
        return count


def central_directory(tail: bytes) -> dict[str, tuple[int, int]]:
    """Name -> (CRC-32, uncompressed size) from the ZIP's end (ZIP64 sizes included)."""
    found = {}
    position = tail.find(b"PK\x01\x02")
    while position != -1:
        crc, _compressed, size = struct.unpack("<III", tail[position + 16 : position + 28])
        name_length, extra_length, comment_length = struct.unpack("<HHH", tail[position + 28 : position + 34])
        name = tail[position + 46 : position + 46 + name_length].decode()
        extra = tail[position + 46 + name_length : position + 46 + name_length + extra_length]
        if size == 0xFFFFFFFF and extra[:2] == b"\x01\x00":
            size = struct.unpack("<Q", extra[4:12])[0]
        found[name] = (crc, size)
        position = tail.find(b"PK\x01\x02", position + 46 + name_length + extra_length + comment_length)
    return found


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--megabytes", type=int, default=1024)
    parser.add_argument("--files", type=int, default=4)
    arguments = parser.parse_args()
    each = arguments.megabytes * 1024 * 1024 // arguments.files
    settings.PORTAL_UPLOAD_MAX_BYTES = max(settings.PORTAL_UPLOAD_MAX_BYTES, each + 1)
    with bench_database():
        from tests.dossiers.factories import DossierFactory
        from tests.tenants.factories import MembershipFactory

        membership = MembershipFactory(role="case_worker")
        dossier = DossierFactory(owner=membership.organisation)
        expected = {}
        started = time.perf_counter()
        for number in range(arguments.files):
            source = Repeating(each, b"%PDF-1.7\n")
            name = f"lohnbuch-{number + 1}.pdf"
            stored = encrypt_stream(io.BufferedReader(source, 1024 * 1024), name)
            add_documents(dossier=dossier, uploads=[stored], acting_user=membership.user)
            expected[name] = (source.crc, each)
        print(
            f"stored {arguments.files} files, {arguments.megabytes} MB in all, in {time.perf_counter() - started:.0f} s"
        )
        client = Client()
        client.force_login(membership.user)
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": f"/de/dossiers/{dossier.pk}/documents/zip/",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "HTTP_COOKIE": cookie,
            "wsgi.input": io.BytesIO(),
            "wsgi.url_scheme": "http",
            "wsgi.errors": io.StringIO(),
        }
        statuses = []
        reset_peak()
        before = memory_kb("VmRSS")
        started = time.perf_counter()
        total, tail = 0, b""
        for chunk in WSGIHandler()(environ, lambda status, headers: statuses.append(status)):
            total += len(chunk)
            tail = (tail + chunk)[-1024 * 1024 :]
        seconds = time.perf_counter() - started
        peak = memory_kb("VmHWM")
        assert statuses[0].startswith("200"), statuses
        assert central_directory(tail) == expected, "the ZIP's members differ from the stored files"
        for document in dossier.documents.all():
            storage().delete(document.current_version.blob)
        print(
            f"ZIP of {arguments.files} files ({arguments.megabytes} MB): {total / 1024 / 1024:.0f} MB streamed in "
            f"{seconds:.1f} s ({total / 1024 / 1024 / seconds:.0f} MB/s); peak memory growth "
            f"{(peak - before) / 1024:.1f} MB; every member's CRC-32 and size as stored; "
            f"load average {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
