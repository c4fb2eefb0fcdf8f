"""Upload of a large file through the portal's own upload view: peak memory growth.

The request body is produced piece by piece and fed to Django's WSGI handler as a stream,
exactly as a web server would, so the figure is the server's memory, not the client's.
Reported: growth of the peak resident set (VmHWM) over the resident set before the upload,
and the upload rate.

    make bench            # or: .venv/bin/python bench/upload_memory.py [--megabytes 200]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import time

from common import bench_database
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client

from portal.documents.actions import read_version, storage
from portal.documents.models import Document

BOUNDARY = "----portal-bench-boundary"
PIECE = 256 * 1024


def memory_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


def reset_peak() -> None:
    """Let VmHWM start from the current resident set (Linux 4.0+)."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")


class Body(io.RawIOBase):
    """A multipart body of ``size`` bytes of PDF, generated as it is read."""

    def __init__(self, size: int):
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="category"\r\n\r\nother\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="gross.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        self.parts = [head, b"%PDF-1.7\n"]
        self.remaining = size - 9
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(head) + size + len(self.tail)
        self.digest = hashlib.sha256(b"%PDF-1.7\n")
        self.block = os.urandom(PIECE)

    def readable(self):
        return True

    def read(self, size=-1):
        if not self.parts:
            if self.remaining > 0:
                piece = self.block[: min(self.remaining, PIECE)]
                self.remaining -= len(piece)
                self.digest.update(piece)
                self.parts.append(piece)
            elif self.tail:
                self.parts.append(self.tail)
                self.tail = b""
            else:
                return b""
        data = self.parts.pop(0)
        if 0 <= size < len(data):
            self.parts.insert(0, data[size:])
            data = data[:size]
        return data


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--megabytes", type=int, default=200)
    arguments = parser.parse_args()
    size = arguments.megabytes * 1024 * 1024
    settings.PORTAL_UPLOAD_MAX_BYTES = max(settings.PORTAL_UPLOAD_MAX_BYTES, size + 1)
    with bench_database():
        from tests.dossiers.factories import DossierFactory
        from tests.tenants.factories import MembershipFactory

        membership = MembershipFactory(role="case_worker")
        dossier = DossierFactory(owner=membership.organisation)
        client = Client()
        client.force_login(membership.user)
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; csrftoken={'x' * 32}"
        body = Body(size)
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": f"/de/dossiers/{dossier.pk}/documents/",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "HTTP_COOKIE": cookie,
            "HTTP_X_CSRFTOKEN": "x" * 32,
            "HTTP_ACCEPT": "application/json",
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(body.length),
            "wsgi.input": body,
            "wsgi.url_scheme": "http",
            "wsgi.errors": io.StringIO(),
        }
        handler = WSGIHandler()
        statuses = []
        reset_peak()
        before = memory_kb("VmRSS")
        started = time.perf_counter()
        response = handler(environ, lambda status, headers: statuses.append(status))
        b"".join(response)
        elapsed = time.perf_counter() - started
        peak = memory_kb("VmHWM")
        assert statuses[0].startswith("200"), statuses
        version = Document.objects.get().current_version
        assert version.size == size and version.sha256 == body.digest.hexdigest()
        started = time.perf_counter()
        downloaded = sum(len(chunk) for chunk in read_version(version))
        download_seconds = time.perf_counter() - started
        assert downloaded == size
        storage().delete(version.blob)
        print(
            f"upload of {arguments.megabytes} MB: {elapsed:.1f} s ({arguments.megabytes / elapsed:.0f} MB/s), "
            f"peak memory growth {(peak - before) / 1024:.1f} MB (limit 64 MB)"
        )
        print(
            f"decrypting read of the same file: {download_seconds:.1f} s ({arguments.megabytes / download_seconds:.0f} MB/s)"
        )


if __name__ == "__main__":
    main()
