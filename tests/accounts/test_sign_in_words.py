"""The sign-in pages speak formally (Sie, Lei, vous) and offer no sign-up."""

from __future__ import annotations

import re

import pytest
from django.utils.html import strip_tags

pytestmark = pytest.mark.django_db

INFORMAL = {
    "de": re.compile(r"\b(du|dein\w*|dich|dir|hast|bist|kannst|möchtest|musst)\b", re.I),
    "it": re.compile(r"\b(tuo|tua|tuoi|tue|puoi|hai|inserisci|controlla|contattaci)\b", re.I),
    "fr": re.compile(r"\b(tu|ton|ta|tes|toi)\b", re.I),
}


@pytest.mark.parametrize("language", ["de", "fr", "it"])
@pytest.mark.parametrize(
    "path", ["accounts/login/", "accounts/password/reset/", "accounts/password/reset/done/"]
)
def test_sign_in_pages_use_the_formal_register(client, language, path):
    page = client.get(f"/{language}/{path}")
    assert page.status_code == 200
    main = re.search(r"<main.*?</main>", page.content.decode(), re.S).group(0)
    assert not INFORMAL[language].findall(strip_tags(main)), strip_tags(main)


def test_the_sign_in_page_offers_no_sign_up(client):
    page = client.get("/de/accounts/login/").content.decode()
    assert "/accounts/signup/" not in page
    assert "Passwort vergessen" in page or "password/reset" in page
