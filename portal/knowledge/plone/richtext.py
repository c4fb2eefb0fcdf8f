"""Plone's rich text (TinyMCE HTML) as the guidance body's StreamField blocks.

Tables become table blocks; everything else becomes rich text in Wagtail's database format
with the features the body allows (h2, h3, bold, italic, lists, links, images): ``h1`` is
read as ``h2``, ``h4``-``h6`` as ``h3``, other markup keeps its text and loses its tag.
Links to the old site, by ``resolveuid/<UID>`` or by address, become links to the new
page or document; images become Wagtail images. A link to an item that is not (or not
yet) imported is counted, and its text kept without the link.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

RESOLVEUID = re.compile(r"resolve[uU]id/([0-9a-fA-F]{32})")
# What Plone appends to an item's address to show or download it.
VIEW_SUFFIX = re.compile(
    r"/(?:view|@@download/.*|at_download/.*|@@images/.*|image_view_fullscreen|@@display-file/.*|image_[a-z]+)$"
)
DROPPED = {"script", "style", "iframe", "object", "embed", "form", "input", "button", "noscript"}
HEADINGS = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h3", "h5": "h3", "h6": "h3"}
INLINE = {"strong": "b", "b": "b", "em": "i", "i": "i"}
BLOCKS = {"p", "h2", "h3", "ul", "ol"}
BLOCK_LEVEL = BLOCKS | {"table", "embed", "blockquote", "pre", "address", "dl", "hr", "li", "tr"}


@dataclass(frozen=True)
class Target:
    kind: str  # "page", "document" or "image"
    pk: int


@dataclass
class LinkReport:
    rewritten: int = 0
    broken: list[str] = field(default_factory=list)
    pending: bool = False  # a link to an item of this export that is not imported yet


@dataclass
class Resolver:
    """Finds the new object for an old link: by UID or by the path below the old site."""

    site_urls: list[str]
    by_uid: Callable[[str], Target | None]
    by_path: Callable[[str], Target | None]
    exported_uids: set[str]
    exported_paths: set[str]

    def old_path(self, url: str) -> str | None:
        for site in self.site_urls:
            site = site.rstrip("/")
            if url == site or url.startswith(site + "/"):
                path = VIEW_SUFFIX.sub("", url[len(site) :].split("#")[0].split("?")[0])
                return path.rstrip("/") or "/"
        return None

    def resolve(self, href: str, base: str) -> tuple[str, Target | None]:
        """("target", found) for the old site's items, ("external", None) for other addresses,
        ("pending", None) for items of the export not imported yet, ("broken", None) else."""
        href = href.strip()
        if not href or href.startswith(("#", "mailto:", "tel:")):
            return "external", None
        absolute = urljoin(base, href)
        if match := RESOLVEUID.search(absolute):
            uid = match.group(1)
            found = self.by_uid(uid)
            if found:
                return "target", found
            return ("pending" if uid in self.exported_uids else "broken"), None
        path = self.old_path(absolute)
        if path is None:
            scheme = urlsplit(absolute).scheme
            return ("external" if scheme in ("http", "https", "ftp") else "broken"), None
        found = self.by_path(path)
        if found:
            return "target", found
        return ("pending" if path in self.exported_paths else "broken"), None


def _unwrap_all(soup: BeautifulSoup, names) -> None:
    for tag in soup.find_all(names):
        tag.unwrap()


def _links(soup: BeautifulSoup, base: str, resolver: Resolver, report: LinkReport) -> None:
    for link in soup.find_all("a"):
        href = link.get("href")
        if not href:
            link.unwrap()
            continue
        outcome, target = resolver.resolve(href, base)
        if outcome == "external":
            link.attrs = {"href": href.strip()}
        elif outcome == "target" and target.kind in ("page", "document"):
            link.attrs = {"linktype": target.kind, "id": str(target.pk)}
            report.rewritten += 1
        else:
            report.pending |= outcome == "pending"
            if outcome != "pending":
                report.broken.append(href)
            link.unwrap()


def _images(soup: BeautifulSoup, base: str, resolver: Resolver, report: LinkReport) -> None:
    for img in soup.find_all("img"):
        outcome, target = resolver.resolve(img.get("src") or "", base)
        if outcome == "target" and target.kind == "image":
            embed = soup.new_tag("embed")
            embed.attrs = {
                "alt": img.get("alt") or "",
                "embedtype": "image",
                "format": "fullwidth",
                "id": str(target.pk),
            }
            # An image is a block of its own: after the block it stood in.
            holder = img
            while holder.parent is not None and holder.parent.name not in (None, "[document]"):
                holder = holder.parent
            img.decompose()
            holder.insert_after(embed)
            report.rewritten += 1
        else:
            report.pending |= outcome == "pending"
            if outcome != "pending":
                report.broken.append(img.get("src") or "")
            img.decompose()


def _clean_inline(tag: Tag) -> None:
    for inner in list(tag.find_all(True)):
        if inner.name in INLINE:
            inner.name = INLINE[inner.name]
            inner.attrs = {}
        elif inner.name in ("ul", "ol", "li") and tag.name in ("ul", "ol"):
            inner.attrs = {}
        elif inner.name not in ("a", "br"):
            inner.unwrap()


def _table(table: Tag) -> dict:
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
        for row in table.find_all("tr")
    ]
    width = max((len(row) for row in rows), default=0)
    rows = [row + [""] * (width - len(row)) for row in rows]
    first = table.find("tr")
    header = bool(first) and all(cell.name == "th" for cell in first.find_all(["th", "td"]))
    caption = table.find("caption")
    return {
        "data": rows,
        "first_row_is_table_header": header,
        "first_col_is_header": False,
        "table_caption": caption.get_text(" ", strip=True) if caption else "",
    }


def to_blocks(html: str, *, base: str, resolver: Resolver) -> tuple[list[dict], LinkReport]:
    """The body's raw StreamField data (``[{"type", "value"}]``) and what became of its links."""
    report = LinkReport()
    soup = BeautifulSoup(html or "", "html.parser")
    for tag in soup.find_all(DROPPED):
        tag.decompose()
    for comment in soup.find_all(string=lambda text: isinstance(text, Comment)):
        comment.extract()
    _unwrap_all(soup, ["div", "section", "article", "span", "font", "center", "main", "header", "footer"])
    for tag in soup.find_all(list(HEADINGS)):
        tag.name = HEADINGS[tag.name]
        tag.attrs = {}
    _links(soup, base, resolver, report)
    _images(soup, base, resolver, report)

    blocks: list[dict] = []
    text: list[str] = []

    def flush():
        if text:
            blocks.append({"type": "text", "value": "".join(text)})
            text.clear()

    loose: list = []

    def flush_loose():
        words = "".join(str(part) for part in loose).strip()
        if words:
            text.append(f"<p>{words}</p>")
        loose.clear()

    for node in list(soup.contents):
        if isinstance(node, Tag) and node.name not in BLOCK_LEVEL and not node.find(list(BLOCK_LEVEL)):
            _clean_inline(node)  # inline markup between blocks: words of a paragraph
            if node.name in INLINE:
                node.name, node.attrs = INLINE[node.name], {}
            elif node.name not in ("a", "br"):
                loose.append(node.decode_contents())
                continue
            loose.append(node)
            continue
        if isinstance(node, NavigableString):
            loose.append(node)
            continue
        flush_loose()
        if not isinstance(node, Tag):
            continue
        if node.name == "table":
            flush()
            blocks.append({"type": "table", "value": _table(node)})
        elif node.name == "embed":
            text.append(str(node))
        elif node.name in BLOCKS or node.name in ("blockquote", "pre", "address", "dl"):
            if node.name not in BLOCKS:
                node.name = "p"
            node.attrs = {}
            _clean_inline(node)
            for item in node.find_all("li"):
                item.attrs = {}
            if node.get_text(strip=True) or node.find("embed"):
                text.append(str(node))
        elif node.get_text(strip=True):  # anything else: its words, as a paragraph
            _clean_inline(node)
            node.name = "p"
            node.attrs = {}
            text.append(str(node))
    flush_loose()
    flush()
    return blocks, report
