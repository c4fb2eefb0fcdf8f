"""The extraction child process: file bytes on stdin, one JSON object on stdout.

    python -m search.extraction.worker CONTENT_TYPE

The parent (``search.extract``) starts it with memory and CPU limits and a wall-clock
timeout, so a PDF or zip bomb kills only this process, never the worker that queued it.
"""

from __future__ import annotations

import json
import os
import sys

from search.extraction.formats import Result, Unreadable, extract

LANGUAGES = ["de", "fr", "it", "en"]


def language_of(text: str) -> str:
    sample = text[:20000].strip()
    if len(sample) < 20:
        return ""
    from py3langid import langid

    langid.set_languages(LANGUAGES)
    return langid.classify(sample)[0]


def main() -> int:
    content_type = sys.argv[1]
    max_chars = int(os.environ.get("PORTAL_EXTRACT_MAX_CHARS", "500000"))
    ocr_pages = int(os.environ.get("PORTAL_EXTRACT_OCR_PAGES", "50"))
    data = sys.stdin.buffer.read()
    result = Result()
    answer: dict = {}
    try:
        extract(data, content_type, result, ocr_pages=ocr_pages)
    except Unreadable as exc:
        answer = {"reason": exc.reason, "detail": exc.detail}
    except MemoryError:
        answer = {"reason": "too large", "detail": "memory limit reached"}
    except Exception as exc:  # any parser's failure on a malformed file
        answer = {"reason": "corrupt", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    text = result.text[:max_chars].replace("\x00", "")
    answer.update(text=text, ocr=result.ocr, pages=result.pages, language=language_of(text))
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
