"""Text out of each accepted file type. Runs inside the extraction child process only.

Every function takes the file's bytes and returns its text, or raises ``Unreadable`` with
a short English reason (``encrypted``, ``corrupt``, ``zip bomb``, ...). The parent turns
that reason into the status people see. Nothing here needs Django.
"""

from __future__ import annotations

import email
import email.policy
import io
import os
import re
import subprocess
import tempfile
import zipfile
from html.parser import HTMLParser

from defusedxml import ElementTree

# A zip whose parts would expand past this, or by more than this ratio, is a bomb.
ZIP_MAX_EXPANDED = int(os.environ.get("PORTAL_EXTRACT_ZIP_MAX", 512 * 1024 * 1024))
ZIP_MAX_RATIO = 200
OCR_LANGUAGES = "deu+fra+ita"
OCR_MIN_CHARS_PER_PAGE = 20
NESTING_LIMIT = 3


class Unreadable(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail[:300]


class Result:
    def __init__(self):
        self.parts: list[str] = []
        self.ocr = False
        self.pages: int | None = None

    def add(self, text: str) -> None:
        if text and text.strip():
            self.parts.append(text)

    @property
    def text(self) -> str:
        return "\n".join(self.parts)


# --- plain text and HTML ---------------------------------------------------------------


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


class _HTMLText(HTMLParser):
    SKIP = {"script", "style", "head", "template"}
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "section"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(data)


def html_text(markup: str) -> str:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    return re.sub(r"[ \t]*\n\s*", "\n", "".join(parser.out)).strip()


# --- zip-based office formats ----------------------------------------------------------


def safe_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise Unreadable("corrupt", str(exc)) from exc
    expanded = sum(info.file_size for info in archive.infolist())
    packed = sum(info.compress_size for info in archive.infolist()) or 1
    if expanded > ZIP_MAX_EXPANDED or expanded / packed > ZIP_MAX_RATIO:
        raise Unreadable("zip bomb", f"{packed} bytes would expand to {expanded}")
    return archive


_PARAGRAPHS = re.compile(r"}(p|h|tr|row|si|br|tab|line-break|list-item)$")


def xml_text(raw: bytes) -> str:
    """The text nodes of an office XML part, a new line after each paragraph."""
    out: list[str] = []
    try:
        for _event, element in ElementTree.iterparse(io.BytesIO(raw), events=("end",)):
            if element.text and not len(element):
                out.append(element.text)
            if _PARAGRAPHS.search(element.tag):
                out.append("\n")
            elif element.tag.endswith("}t") or element.tag.endswith("}span"):
                out.append(" " if not (element.text or "").endswith(" ") else "")
            element.clear()
    except ElementTree.ParseError as exc:
        raise Unreadable("corrupt", str(exc)) from exc
    except Exception as exc:  # defusedxml refuses entity tricks
        raise Unreadable("corrupt", f"{type(exc).__name__}: {exc}") from exc
    return re.sub(r"[ \t]+", " ", "".join(out))


_OFFICE_PARTS = (
    re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$"),
    re.compile(r"^xl/(sharedStrings|worksheets/sheet\d+)\.xml$"),
    re.compile(r"^ppt/(slides/slide\d+|notesSlides/notesSlide\d+)\.xml$"),
    re.compile(r"^content\.xml$"),  # OpenDocument
)


def office_zip(data: bytes, result: Result) -> None:
    archive = safe_zip(data)
    names = [n for n in archive.namelist() if any(p.match(n) for p in _OFFICE_PARTS)]
    if not names:
        raise Unreadable("corrupt", "no document part in the package")
    for name in sorted(names):
        try:
            raw = archive.read(name)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise Unreadable("corrupt", f"{name}: {exc}") from exc
        result.add(xml_text(raw))


# --- legacy binary Office --------------------------------------------------------------

_LEGACY_TOOLS = {
    "application/msword": ["catdoc", "-w", "-d", "utf-8"],
    "application/vnd.ms-excel": ["xls2csv", "-d", "utf-8"],
    "application/vnd.ms-powerpoint": ["catppt", "-d", "utf-8"],
}


def legacy_office(data: bytes, content_type: str, result: Result) -> None:
    with tempfile.NamedTemporaryFile(suffix=".bin") as handle:
        handle.write(data)
        handle.flush()
        try:
            done = subprocess.run(
                [*_LEGACY_TOOLS[content_type], handle.name], capture_output=True, timeout=60, check=False
            )
        except FileNotFoundError as exc:
            raise Unreadable("no extractor", "catdoc is not installed") from exc
    if done.returncode != 0:
        raise Unreadable("corrupt", done.stderr.decode("utf-8", "replace").strip())
    result.add(decode(done.stdout))


# --- PDF and images ---------------------------------------------------------------------


def ocr_image(path: str) -> str:
    try:
        done = subprocess.run(
            ["tesseract", path, "stdout", "-l", OCR_LANGUAGES, "--psm", "3"],
            capture_output=True,
            timeout=120,
            check=False,
        )
    except FileNotFoundError as exc:
        raise Unreadable("no OCR", "tesseract is not installed") from exc
    if done.returncode != 0:
        raise Unreadable("corrupt", done.stderr.decode("utf-8", "replace").strip()[-300:])
    return decode(done.stdout)


def image(data: bytes, result: Result) -> None:
    with tempfile.NamedTemporaryFile(suffix=".img") as handle:
        handle.write(data)
        handle.flush()
        result.add(ocr_image(handle.name))
    result.ocr = True


def pdf(data: bytes, result: Result, *, ocr_pages: int) -> None:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower() or "security" in message.lower():
            raise Unreadable("encrypted", message) from exc
        raise Unreadable("corrupt", message) from exc
    try:
        result.pages = len(document)
        texts = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded() or "")
            textpage.close()
            page.close()
        layer = sum(len(t.strip()) for t in texts)
        if layer >= OCR_MIN_CHARS_PER_PAGE * max(1, len(texts)):
            for text in texts:
                result.add(text)
            return
        # No usable text layer: a scan. Render each page and read it with Tesseract.
        result.ocr = True
        with tempfile.TemporaryDirectory() as folder:
            for index in range(min(len(document), ocr_pages)):
                page = document[index]
                bitmap = page.render(scale=300 / 72, grayscale=True)
                path = os.path.join(folder, f"page{index}.png")
                bitmap.to_pil().save(path)
                page.close()
                result.add(ocr_image(path))
    finally:
        document.close()


# --- e-mail -----------------------------------------------------------------------------


def eml(data: bytes, result: Result, *, depth: int, ocr_pages: int) -> None:
    message = email.message_from_bytes(data, policy=email.policy.default)
    for header in ("subject", "from", "to"):
        if message[header]:
            result.add(f"{message[header]}")
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_content_disposition() == "attachment" or part.get_filename():
            attached(payload, result, depth=depth, ocr_pages=ocr_pages)
        elif part.get_content_type() == "text/plain":
            result.add(decode(payload))
        elif part.get_content_type() == "text/html":
            result.add(html_text(decode(payload)))


def msg(data: bytes, result: Result, *, depth: int, ocr_pages: int) -> None:
    import extract_msg

    try:
        message = extract_msg.openMsg(io.BytesIO(data))
    except Exception as exc:
        raise Unreadable("corrupt", f"{type(exc).__name__}: {exc}") from exc
    try:
        for value in (message.subject, message.sender, message.to):
            result.add(value or "")
        body = message.body
        if not body and message.htmlBody:
            body = html_text(decode(message.htmlBody))
        result.add(body or "")
        for attachment in message.attachments:
            payload = getattr(attachment, "data", None)
            if isinstance(payload, bytes):
                attached(payload, result, depth=depth, ocr_pages=ocr_pages)
    finally:
        message.close()


def attached(payload: bytes, result: Result, *, depth: int, ocr_pages: int) -> None:
    """An attachment inside an e-mail: extracted in turn, up to a nesting limit."""
    if depth >= NESTING_LIMIT or not payload:
        return
    import magic

    content_type = magic.from_buffer(payload[:262144], mime=True)
    try:
        extract(payload, content_type, result, depth=depth + 1, ocr_pages=ocr_pages)
    except Unreadable as exc:
        result.add(f"[{exc.reason}]")


# --- dispatch ---------------------------------------------------------------------------

_ZIPPED = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}


def extract(data: bytes, content_type: str, result: Result, *, depth: int = 0, ocr_pages: int = 50) -> None:
    if content_type == "application/pdf":
        pdf(data, result, ocr_pages=ocr_pages)
    elif content_type in _ZIPPED:
        office_zip(data, result)
    elif content_type in _LEGACY_TOOLS:
        legacy_office(data, content_type, result)
    elif content_type.startswith("image/"):
        image(data, result)
    elif content_type == "message/rfc822":
        eml(data, result, depth=depth, ocr_pages=ocr_pages)
    elif content_type == "application/vnd.ms-outlook":
        msg(data, result, depth=depth, ocr_pages=ocr_pages)
    elif content_type == "text/html":
        result.add(html_text(decode(data)))
    elif content_type.startswith("text/"):
        result.add(decode(data))
    else:
        raise Unreadable("unsupported type", content_type)
