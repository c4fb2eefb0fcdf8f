"""The exchange API, in-process through Django's WSGI handler as a web server would call it:
latency of the dossier list and of search (p50, p95), and a 100 MB upload and download with
their throughput and the server's peak memory growth.

    make bench            # or: .venv/bin/python bench/api.py [--dossiers 3000] [--megabytes 100]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import time
import urllib.parse

from common import bench_database, percentiles, status_line
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.test import override_settings
from upload_memory import memory_kb, reset_peak

PIECE = 256 * 1024
WORDS = [
    "Lohnkontrolle",
    "Baustelle",
    "Entsendung",
    "Stundenlohn",
    "contrôle",
    "salaire",
    "chantier",
    "controllo",
    "salario",
    "cantiere",
]


class Stream(io.RawIOBase):
    """``size`` bytes of a repeated random block, produced as they are read."""

    def __init__(self, size: int, block: bytes):
        self.remaining, self.block, self.position = size, block, 0

    def readable(self):
        return True

    def read(self, size=-1):
        if self.remaining <= 0:
            return b""
        start = self.position % PIECE
        n = min(self.remaining, PIECE - start, PIECE if size is None or size < 0 else size)
        self.remaining -= n
        self.position += n
        return self.block[start : start + n]


def call(handler, token, method, path, *, query="", body=None, length=0, headers=None):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "CONTENT_LENGTH": str(length),
        "CONTENT_TYPE": "application/octet-stream",
        "wsgi.input": body or io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()},
    }
    statuses = []
    response = handler(environ, lambda status, _headers: statuses.append(status))
    return statuses[0], response


def timed(handler, token, path, query, rounds):
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        status, response = call(handler, token, "GET", path, query=query)
        content = b"".join(response)
        samples.append((time.perf_counter() - started) * 1000)
        assert status.startswith("200"), (status, content[:300])
    return samples, json.loads(content)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=3000)
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=40)
    arguments = parser.parse_args()
    size = arguments.megabytes * 1024 * 1024
    settings.PORTAL_UPLOAD_MAX_BYTES = max(settings.PORTAL_UPLOAD_MAX_BYTES, size + 1)
    with bench_database():
        from portal.api.clients import issue_token, register_client
        from portal.threads.models import Message
        from search import queue
        from tests.dossiers.factories import DossierFactory
        from tests.tenants.factories import MembershipFactory

        admin = MembershipFactory(role="administrator")
        organisation = admin.organisation
        rng = __import__("random").Random(7)
        dossiers = [DossierFactory(owner=organisation) for _ in range(arguments.dossiers)]
        Message.objects.bulk_create(
            Message(
                dossier=d,
                author=admin.user,
                organisation=organisation,
                body=" ".join(rng.choices(WORDS, k=30)),
            )
            for d in dossiers
        )
        queue.process()
        call_command("rebuild_index", stdout=io.StringIO())  # the bulk-created messages too
        client, secret = register_client(
            organisation=organisation,
            acting_user=admin.user,
            name="Bench",
            scopes=["read", "write"],
            rate_limit=10**6,
        )
        token = issue_token(client.client_id, secret, address="127.0.0.1").token
        handler = WSGIHandler()
        print(
            f"API latency, {arguments.dossiers} dossiers of one organisation, {arguments.rounds} rounds each"
        )
        samples, page = timed(handler, token, "/api/v1/dossiers", "limit=50", arguments.rounds)
        print(status_line("GET /dossiers?limit=50 (first page)", percentiles(samples)))
        cursor = urllib.parse.urlencode({"limit": 50, "cursor": page["next_cursor"]})
        samples, _ = timed(handler, token, "/api/v1/dossiers", cursor, arguments.rounds)
        print(status_line("GET /dossiers?limit=50&cursor=… (next page)", percentiles(samples)))
        samples, _ = timed(
            handler, token, "/api/v1/dossiers", "limit=50&canton=GE&sort=company", arguments.rounds
        )
        print(status_line("GET /dossiers filtered, sorted by company", percentiles(samples)))
        samples, found = timed(handler, token, "/api/v1/search", "q=Lohnkontrolle", arguments.rounds)
        print(status_line(f"GET /search?q=Lohnkontrolle ({found['total']} hits)", percentiles(samples)))
        samples, found = timed(
            handler, token, "/api/v1/search", "q=salaire+chantier&sort=date", arguments.rounds
        )
        print(status_line(f"GET /search two words, by date ({found['total']} hits)", percentiles(samples)))

        block = b"%PDF-1.7\n" + os.urandom(PIECE - 9)
        digest = hashlib.sha256()
        source = Stream(size, block)
        while piece := source.read(PIECE):
            digest.update(piece)
        header = f"sha-256=:{base64.b64encode(digest.digest()).decode()}:"
        # As in production the extraction runs later, in the worker: queue it, do not run it here.
        deferred = override_settings(
            TASKS={
                "default": {
                    "BACKEND": "django_tasks.backends.dummy.DummyBackend",
                    "QUEUES": ["default", "search"],
                }
            }
        )
        deferred.enable()
        reset_peak()
        before = memory_kb("VmRSS")
        started = time.perf_counter()
        status, response = call(
            handler,
            token,
            "POST",
            f"/api/v1/dossiers/{dossiers[0].pk}/documents",
            query="file_name=gross.pdf",
            body=Stream(size, block),
            length=size,
            headers={"Content-Digest": header},
        )
        document = json.loads(b"".join(response))
        upload_seconds = time.perf_counter() - started
        upload_growth = (memory_kb("VmHWM") - before) / 1024
        assert status.startswith("201"), (status, document)
        deferred.disable()
        reset_peak()
        before = memory_kb("VmRSS")
        started = time.perf_counter()
        status, response = call(handler, token, "GET", f"/api/v1/documents/{document['id']}/content")
        check = hashlib.sha256()
        received = 0
        for chunk in response:
            check.update(chunk)
            received += len(chunk)
        download_seconds = time.perf_counter() - started
        download_growth = (memory_kb("VmHWM") - before) / 1024
        assert received == size and check.digest() == digest.digest()
        mb = arguments.megabytes
        print(
            f"upload of {mb} MB (streamed, SHA-256 checked): {upload_seconds:.1f} s = {mb / upload_seconds:.0f} MB/s, peak memory growth {upload_growth:.1f} MB"
        )
        print(
            f"download of {mb} MB (decrypted as it streams): {download_seconds:.1f} s = {mb / download_seconds:.0f} MB/s, peak memory growth {download_growth:.1f} MB"
        )


if __name__ == "__main__":
    main()
