"""Extract a document version's text in a child process with hard limits.

The child (``search.extraction.worker``) gets the decrypted bytes on its stdin and answers
with JSON. It runs under an address-space and CPU limit and a wall-clock timeout in its own
process group, so a PDF bomb, a zip bomb or a parser stuck in a loop ends that child with
a recorded reason. The document stays downloadable whatever happens here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.documents.actions import read_version
from portal.documents.models import DocumentVersion
from search.models import ExtractedText, ExtractionStatus

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The reasons the child gives, as people read them on the document page.
REASONS = {
    "encrypted": _("the file is password-protected"),
    "corrupt": _("the file is damaged or not what its type says"),
    "zip bomb": _("the file would expand to an unreasonable size"),
    "too large": _("the file is too large to index"),
    "timeout": _("reading the file took too long"),
    "unsupported type": _("files of this type are not indexed"),
    "no OCR": _("text recognition is not installed"),
    "no extractor": _("no text reader for this type is installed"),
    "crashed": _("the text reader stopped unexpectedly"),
}


def reason_label(reason: str):
    return REASONS.get(reason, reason)


def _limits():
    memory = settings.PORTAL_EXTRACT_MEMORY_MB * 1024 * 1024
    cpu = settings.PORTAL_EXTRACT_TIMEOUT + 5

    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))

    return apply


def run_child(chunks, content_type: str) -> dict:
    """Feed ``chunks`` to a limited child and return its answer (``reason`` set on failure)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(PROJECT_ROOT),
        "OMP_THREAD_LIMIT": "1",
        "PORTAL_EXTRACT_MAX_CHARS": str(settings.PORTAL_EXTRACT_MAX_CHARS),
        "PORTAL_EXTRACT_OCR_PAGES": str(settings.PORTAL_EXTRACT_OCR_PAGES),
        "LANG": "C.UTF-8",
    }
    child = subprocess.Popen(  # noqa: S603 - fixed argv, our own module
        [sys.executable, "-m", "search.extraction.worker", content_type],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=PROJECT_ROOT,
        preexec_fn=_limits(),
        start_new_session=True,
    )

    # The feeder owns stdin; communicate() below must only read, or it would close the
    # pipe under the feeder's hands.
    pipe, child.stdin = child.stdin, None

    def feed():
        try:
            for chunk in chunks:
                pipe.write(chunk)
        except (BrokenPipeError, OSError):
            pass
        finally:
            with contextlib.suppress(OSError):
                pipe.close()

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        out, err = child.communicate(timeout=settings.PORTAL_EXTRACT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        return {"reason": "timeout", "detail": f"more than {settings.PORTAL_EXTRACT_TIMEOUT} s"}
    finally:
        writer.join(timeout=5)
    if child.returncode != 0 or not out:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {child.returncode}"]
        reason = "too large" if b"MemoryError" in err else "crashed"
        return {"reason": reason, "detail": tail[0][:300]}
    return json.loads(out)


def extract_version(version: DocumentVersion) -> ExtractedText:
    """Extract ``version``'s text and store the outcome; never raises for a bad file."""
    started = time.monotonic()
    if version.size > settings.PORTAL_EXTRACT_MAX_MB * 1024 * 1024:
        answer = {"reason": "too large", "detail": f"{version.size} bytes", "text": ""}
    else:
        answer = run_child(read_version(version), version.content_type)
    reason = answer.get("reason", "")
    text = answer.get("text", "")
    # A reason with some text (an e-mail with one unreadable attachment) still counts as done.
    status = ExtractionStatus.FAILED if reason and not text else ExtractionStatus.DONE
    with transaction.atomic():
        extracted, _created = ExtractedText.objects.update_or_create(
            version=version,
            defaults={
                "status": status,
                "text": text,
                "language": answer.get("language", ""),
                "ocr": bool(answer.get("ocr")),
                "reason": reason[:60],
                "detail": answer.get("detail", "")[:300],
                "seconds": round(time.monotonic() - started, 3),
                "extracted_at": timezone.now(),
            },
        )
    if status == ExtractionStatus.FAILED:
        log.warning("Extraction of version %s failed: %s (%s)", version.pk, reason, answer.get("detail"))
    return extracted


def describe(extracted: ExtractedText | None) -> str:
    """What the document page says about a version's text for search."""
    if extracted is None or extracted.status == ExtractionStatus.PENDING:
        return str(ExtractionStatus.PENDING.label)
    if extracted.status == ExtractionStatus.FAILED:
        return _("Not searchable: %(reason)s") % {"reason": reason_label(extracted.reason)}
    if extracted.ocr:
        return _("Searchable (text recognised from the scan)")
    return _("Searchable")
