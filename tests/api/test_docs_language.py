"""The API's documentation and its problem details speak the caller's language."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title", "words"),
    [
        ("de", "Austausch-API des Arbeitsmarktportals", "Authentifizierung"),
        ("fr", "API d’échange du portail du marché du travail", "Authentification"),
        ("it", "API di scambio del portale del mercato del lavoro", "Autenticazione"),
        ("en", "Labour-market portal exchange API", "Authentication"),
    ],
)
def test_the_schema_title_and_introduction_follow_accept_language(client, language, title, words):
    schema = client.get("/api/v1/openapi.json", headers={"Accept-Language": language}).json()
    assert schema["info"]["title"] == title
    assert f"**{words}" in schema["info"]["description"]


def test_a_problem_detail_is_in_the_callers_language(client):
    answer = client.get("/api/v1/dossiers", headers={"Accept-Language": "fr"})
    assert answer.status_code == 401 and answer["Content-Type"].startswith("application/problem+json")
    english = client.get("/api/v1/dossiers", headers={"Accept-Language": "en"}).json()["detail"]
    assert answer.json()["detail"] != english
