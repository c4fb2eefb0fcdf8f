"""Plone's HTML as StreamField blocks: what a reader of the imported page sees."""

from __future__ import annotations

from portal.knowledge.plone.richtext import Resolver, Target, to_blocks

SITE = "http://localhost:8080/Plone"
PAGE_UID = "a" * 32
IMAGE_UID = "b" * 32
LATER_UID = "c" * 32


def resolver() -> Resolver:
    return Resolver(
        site_urls=[SITE, "https://www.old.example"],
        by_uid={PAGE_UID: Target("page", 7), IMAGE_UID: Target("image", 3)}.get,
        by_path={"/de/a/b": Target("document", 5)}.get,
        exported_uids={PAGE_UID, IMAGE_UID, LATER_UID},
        exported_paths={"/de/a/b", "/de/a/later"},
    )


def convert(html: str):
    return to_blocks(html, base=f"{SITE}/de/a/page", resolver=resolver())


def test_relative_and_absolute_links_to_the_old_site_are_rewritten_and_external_ones_kept():
    blocks, links = convert(
        f'<p><a href="../resolveuid/{PAGE_UID}#top">page</a> <a href="b/@@download/file">file</a> '
        '<a href="https://www.old.example/de/a/b/view">again</a> <a href="https://example.org/x">out</a> '
        '<a href="mailto:info@example.org">mail</a></p>'
    )
    html = blocks[0]["value"]
    assert '<a id="7" linktype="page">page</a>' in html
    assert html.count('<a id="5" linktype="document">') == 2
    assert '<a href="https://example.org/x">out</a>' in html and 'href="mailto:info@example.org"' in html
    assert links.rewritten == 3 and links.broken == [] and not links.pending


def test_links_to_missing_items_keep_their_text_and_are_reported_and_later_ones_wait():
    blocks, links = convert(
        f'<p><a href="{SITE}/de/gone">gone</a> and <a href="resolveuid/{LATER_UID}">later</a></p>'
    )
    assert blocks[0]["value"] == "<p>gone and later</p>"
    assert links.broken == [f"{SITE}/de/gone"] and links.pending


def test_layout_markup_is_dropped_but_its_words_stay_and_scripts_go():
    blocks, _links = convert(
        '<div class="x"><span style="color:red">Loose <u>words</u></span></div>'
        '<!-- [if mso]> note <![endif] --><script>alert(1)</script><h5 id="h">Small</h5><blockquote>Quote</blockquote>'
    )
    assert blocks == [{"type": "text", "value": "<p>Loose words</p><h3>Small</h3><p>Quote</p>"}]


def test_an_image_inside_a_paragraph_becomes_an_image_block_after_it():
    blocks, links = convert(
        f'<p>Before <img src="resolveuid/{IMAGE_UID}/@@images/image/large" alt="Plan"> after</p>'
    )
    assert blocks[0]["value"] == (
        '<p>Before  after</p><embed alt="Plan" embedtype="image" format="fullwidth" id="3"/>'
    )
    assert links.rewritten == 1


def test_a_table_splits_the_text_and_keeps_rows_header_and_caption():
    blocks, _links = convert(
        "<p>One</p><table><caption>Fristen</caption><tr><th>A</th><th>B</th></tr>"
        "<tr><td>1</td></tr></table><p>Two</p>"
    )
    assert [block["type"] for block in blocks] == ["text", "table", "text"]
    assert blocks[1]["value"] == {
        "data": [["A", "B"], ["1", ""]],
        "first_row_is_table_header": True,
        "first_col_is_header": False,
        "table_caption": "Fristen",
    }
