#!/usr/bin/env python3
"""A complete exchange through the portal's API, with nothing but the standard library.

Organisation A's case software creates a dossier, uploads a file and shares the dossier;
organisation B's case software follows the changes feed, reads the dossier and downloads
the file. Retried POSTs carry an Idempotency-Key; uploads carry their SHA-256.

    python scripts/api_example.py http://127.0.0.1:8000 \\
        --sender CLIENT_ID:SECRET --recipient CLIENT_ID:SECRET --recipient-organisation 7 FILE

Register the two clients under "API clients" in the portal first (administrators only).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

PIECE = 1024 * 1024


class ApiError(Exception):
    def __init__(self, status: int, problem: dict):
        super().__init__(f"{status} {problem.get('code')}: {problem.get('detail')}")
        self.status, self.problem = status, problem


class PortalClient:
    def __init__(self, base_url: str, client_id: str, secret: str):
        if not base_url.startswith(("https://", "http://")):
            raise ValueError("The portal's address starts with https:// (or http:// for a local test).")
        self.base = base_url.rstrip("/") + "/api/v1"
        self.client_id, self.secret = client_id, secret
        self.token, self.token_until = None, 0.0

    # --- plumbing -------------------------------------------------------------------
    def _token(self) -> str:
        if self.token is None or time.monotonic() > self.token_until - 30:
            basic = base64.b64encode(f"{self.client_id}:{self.secret}".encode()).decode()
            request = urllib.request.Request(
                self.base + "/oauth/token",
                data=b"grant_type=client_credentials",
                headers={
                    "Authorization": f"Basic {basic}",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            with urllib.request.urlopen(request) as answer:
                issued = json.load(answer)
            self.token, self.token_until = issued["access_token"], time.monotonic() + issued["expires_in"]
        return self.token

    def call(self, method: str, path: str, body=None, *, headers=None, data=None, raw=False):
        headers = {"Authorization": f"Bearer {self._token()}", **(headers or {})}
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if method == "POST":
            headers.setdefault("Idempotency-Key", str(uuid.uuid4()))
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        for attempt in range(5):
            try:
                answer = urllib.request.urlopen(request)
            except urllib.error.HTTPError as error:
                if error.code == 429 and attempt < 4:  # rate limited: wait as told, same key
                    time.sleep(int(error.headers.get("Retry-After", "1")))
                    if hasattr(data, "seek"):
                        data.seek(0)
                    continue
                raise ApiError(error.code, json.loads(error.read() or b"{}")) from None
            if raw:
                return answer
            with answer:
                content = answer.read()
                return (json.loads(content) if content else None), answer.headers
        raise AssertionError("unreachable")

    # --- what a case system does ------------------------------------------------------
    def create_dossier(self, **fields) -> dict:
        return self.call("POST", "/dossiers", fields)[0]

    def upload(self, dossier_id: int, path: Path, *, category: str = "other") -> dict:
        """One streamed request; the file is read twice (digest, then body), never held whole."""
        digest = hashlib.sha256()
        with path.open("rb") as f:
            while piece := f.read(PIECE):
                digest.update(piece)
        query = urllib.parse.urlencode({"file_name": path.name, "category": category})
        with path.open("rb") as f:
            return self.call(
                "POST",
                f"/dossiers/{dossier_id}/documents?{query}",
                data=f,
                headers={
                    "Content-Type": "application/octet-stream",
                    "Content-Length": str(path.stat().st_size),
                    "Content-Digest": f"sha-256=:{base64.b64encode(digest.digest()).decode()}:",
                },
            )[0]

    def share(self, dossier_id: int, organisation_id: int, level: str = "view") -> dict:
        return self.call(
            "POST", f"/dossiers/{dossier_id}/shares", {"organisation_id": organisation_id, "level": level}
        )[0]

    def changes(self, since: str | None):
        """Every change since ``since``; returns the items and the cursor to keep."""
        items = []
        while True:
            query = "?" + urllib.parse.urlencode({"since": since}) if since else ""
            page = self.call("GET", f"/changes{query}")[0]
            items += page["items"]
            since = page["next_cursor"]
            if not page["more"]:
                return items, since

    def download(self, document_id: int, target: Path) -> str:
        """Stream the current version to ``target``; returns its SHA-256 after checking it."""
        digest = hashlib.sha256()
        with (
            self.call("GET", f"/documents/{document_id}/content", raw=True) as answer,
            target.open("wb") as out,
        ):
            while piece := answer.read(PIECE):
                digest.update(piece)
                out.write(piece)
            expected = answer.headers["Content-Digest"]
        if expected != f"sha-256=:{base64.b64encode(digest.digest()).decode()}:":
            raise ValueError("The download does not match its Content-Digest.")
        return digest.hexdigest()


def exchange(
    base_url: str,
    sender: tuple[str, str],
    recipient: tuple[str, str],
    recipient_org: int,
    file: Path,
    out_dir: Path,
) -> dict:
    a, b = PortalClient(base_url, *sender), PortalClient(base_url, *recipient)
    _, cursor = b.changes(None)  # B starts from "now"
    dossier = a.create_dossier(
        company_name="Muster Bau AG",
        canton="GE",
        control_kind="posted_workers",
        company_uid="CHE-116.281.710",
    )
    document = a.upload(dossier["id"], file, category="control_report")
    a.share(dossier["id"], recipient_org, "view")
    received, cursor = b.changes(cursor)
    dossier_ids = {c["dossier_id"] for c in received}
    seen = b.call("GET", f"/dossiers/{dossier['id']}")[0]
    documents = b.call("GET", f"/dossiers/{dossier['id']}/documents")[0]
    downloaded = [b.download(d["id"], out_dir / d["current_version"]["file_name"]) for d in documents]
    return {
        "dossier": seen,
        "changes": received,
        "dossier_ids": dossier_ids,
        "document": document,
        "downloaded": downloaded,
        "cursor": cursor,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("base_url")
    parser.add_argument("--sender", required=True, help="CLIENT_ID:SECRET of organisation A's client")
    parser.add_argument("--recipient", required=True, help="CLIENT_ID:SECRET of organisation B's client")
    parser.add_argument(
        "--recipient-organisation", type=int, required=True, help="B's id (GET /organisations)"
    )
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    result = exchange(
        args.base_url,
        tuple(args.sender.split(":", 1)),
        tuple(args.recipient.split(":", 1)),
        args.recipient_organisation,
        args.file,
        Path.cwd(),
    )
    print(
        f"B sees {result['dossier']['reference']} ({result['dossier']['company_name']}), level {result['dossier']['access_level']}"
    )
    for change in result["changes"]:
        print(f"  change: {change['kind']} {change['reference']}")
    print(f"  downloaded, SHA-256 {', '.join(result['downloaded'])}")


if __name__ == "__main__":
    main()
