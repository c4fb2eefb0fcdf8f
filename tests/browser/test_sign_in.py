"""A person signs in with password and TOTP, switches organisation and language."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tenants.roles import Role
from tests.accounts.factories import PASSWORD, EnrolledUserFactory
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_with_totp_switch_organisation_and_language(page):
    canton = OrganisationFactory(
        short_name="AMB VD",
        name_de="Arbeitsmarktbehörde Kanton Waadt",
        name_fr="Autorité du marché du travail du canton de Vaud",
        canton="VD",
    )
    commission = OrganisationFactory(
        short_name="PK Bau",
        name_de="Paritätische Kommission Bauhauptgewerbe",
        name_fr="Commission paritaire du secteur principal de la construction",
        kind="joint_commission",
        canton="CH",
    )
    person = EnrolledUserFactory(first_name="Reto")
    MembershipFactory(user=person, organisation=canton, role=Role.INSPECTOR)
    MembershipFactory(user=person, organisation=commission, role=Role.CASE_WORKER)

    page.goto("/de/")
    expect(page).to_have_url(re.compile(r"/de/accounts/login/"))
    page.get_by_label("E-Mail").fill(person.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmeldung").click()

    expect(page).to_have_url(re.compile(r"/2fa/authenticate/"))
    page.get_by_label(re.compile("Authenticator|Code", re.I)).fill(pyotp.TOTP(person.totp_secret).now())
    page.get_by_role("button", name=re.compile("Anmeldung|Bestätigen|Sign In", re.I)).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Reto")
    expect(page.get_by_role("heading", name=canton.name_de)).to_be_visible()

    page.get_by_label("Organisation", exact=True).select_option(str(commission.pk))
    page.get_by_role("button", name="Wechseln").click()
    expect(page.get_by_role("heading", name=commission.name_de)).to_be_visible()

    page.get_by_label("Sprache", exact=True).select_option("fr")
    page.get_by_role("button", name="Ändern").click()
    expect(page).to_have_url(re.compile(r"/fr/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    navigation = page.get_by_role("navigation", name="Navigation principale")
    expect(navigation.get_by_role("link", name="Aperçu")).to_be_visible()
    expect(navigation.get_by_role("link", name="Membres")).to_be_visible()
    expect(page.get_by_role("heading", name=commission.name_fr)).to_be_visible()
    expect(page.get_by_label("Langue", exact=True)).to_be_visible()
    page.screenshot(path="var/screenshots/home-fr.png", full_page=True)
