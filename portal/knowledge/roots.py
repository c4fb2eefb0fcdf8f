"""The CMS's root pages carry the portal's name, not Wagtail's "Welcome to your new Wagtail site!".

Wagtail's first migration creates that page; translating the tree copies it for each locale.
Both the migration and the demo loader call ``name_site_roots``, so every locale's root is named.
"""

from __future__ import annotations

WAGTAIL_DEFAULT_TITLE = "Welcome to your new Wagtail site!"
ROOT_TITLES = {"de": "FlaM-Portal", "fr": "Portail FlaM", "it": "Portale FlaM", "en": "FlaM portal"}


def name_site_roots(page_model=None) -> int:
    """Rename the site roots still titled as Wagtail left them; returns how many were renamed."""
    if page_model is None:
        from wagtail.models import Page as page_model
    renamed = 0
    for page in page_model.objects.filter(depth=2, title=WAGTAIL_DEFAULT_TITLE).select_related("locale"):
        title = ROOT_TITLES.get(page.locale.language_code[:2], ROOT_TITLES["de"])
        renamed += page_model.objects.filter(pk=page.pk).update(title=title, draft_title=title)
    return renamed
