"""The reader's language, or an available one with a note.

German, French and Italian versions of a page share a ``translation_key``. Lists show each
page once: in the reader's language when it exists, otherwise in the first available
language of ``WAGTAIL_CONTENT_LANGUAGES``. Links stay under the reader's language prefix,
so the interface keeps their language; ``route_with_fallback`` then serves the page from
another language's tree when the reader's has none, and the page says so.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale, Page, Site


def _preference(active: str) -> list[str]:
    codes = [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]
    return [active, *(code for code in codes if code != active)]


def relative_path(page: Page) -> str:
    """The page's path below its site root ("knowledge/topic/page/"), the same in every tree."""
    return page.url_path.split("/", 2)[2]


def reader_url(page: Page, language: str) -> str:
    with translation.override(language):
        return reverse("wagtail_serve", args=(relative_path(page),))


def one_per_page(pages, language: str) -> list[Page]:
    """``pages`` (of any languages) with one version per page, in the reader's language
    where it exists; each carries ``reader_url`` and ``other_language``."""
    rank = {code: index for index, code in enumerate(_preference(language))}
    codes = dict(Locale.objects.values_list("pk", "language_code"))
    chosen: dict = {}
    order: list = []
    for page in pages:
        key = page.translation_key
        if key not in chosen:
            order.append(key)
            chosen[key] = page
        elif rank.get(codes[page.locale_id], 99) < rank.get(codes[chosen[key].locale_id], 99):
            chosen[key] = page
    out = []
    for key in order:
        page = chosen[key]
        page.language_code = codes[page.locale_id]
        page.other_language = page.language_code != language
        page.reader_url = reader_url(page, language)
        out.append(page)
    return out


def breadcrumbs(page: Page, language: str) -> list[Page]:
    """The page's ancestors below the site root, each in the reader's language where it exists."""
    ancestors = list(page.get_ancestors().filter(depth__gt=2))
    local = {
        p.translation_key: p
        for p in Page.objects.filter(
            translation_key__in=[a.translation_key for a in ancestors], locale__language_code=language
        )
    }
    return one_per_page([local.get(a.translation_key, a) for a in ancestors], language)


def in_every_language(page: Page) -> Q:
    """Pages below ``page`` or below one of its translations."""
    trees = Q(path__startswith=page.path)
    for other in page.get_translations():
        trees |= Q(path__startswith=other.path)
    return trees


def route_with_fallback(request, path: str):
    """Wagtail's route for ``path`` in the reader's language, else in another language's tree."""
    found = Page.route_for_request(request, path)
    if found is not None:
        return found
    site = Site.find_for_request(request)
    if site is None:
        return None
    components = [part for part in path.split("/") if part]
    active = translation.get_language() or settings.LANGUAGE_CODE
    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    for code in _preference(active)[1:]:
        if code not in locales:
            continue
        root = site.root_page.get_translation_or_none(locales[code])
        if root is None:
            continue
        try:
            found = root.specific.route(request, components)
        except Http404:
            continue
        request._wagtail_route_for_request = found
        return found
    return None
