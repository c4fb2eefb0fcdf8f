"""The portal as production runs it: gunicorn with ``portal.settings.production``, the task
worker and the scheduler, over real HTTP on 127.0.0.1 behind the TLS proxy's headers.

A person signs in with password and TOTP in Chromium, creates a dossier, uploads a file and
downloads it byte for byte, finds it by search once the worker has indexed it; a client of
the exchange API gets a token and reads the same dossier and file; the scheduler's daily
run is enqueued and carried out by the worker.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import urllib.request

import pyotp
import pytest
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect, sync_playwright

from portal.api.clients import register_client
from portal.journal.models import JournalEntry
from tenants.roles import Role
from tests.accounts.factories import PASSWORD, EnrolledUserFactory
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.production.stack import PROXY_HEADERS
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.production, pytest.mark.django_db(transaction=True)]

CLIENT_ADDRESS = "203.0.113.7"  # what the TLS proxy puts in X-Forwarded-For
PAYROLL = "Name;Funktion;Stundenlohn\n" + "Quarzsandlieferant Muster;Maurer;31.50\n" * 400


def api(stack, path, *, token=None, data=None, basic=None) -> tuple[int, dict, bytes]:
    headers = {**PROXY_HEADERS, "X-Forwarded-For": CLIENT_ADDRESS}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if basic:
        headers["Authorization"] = "Basic " + base64.b64encode(":".join(basic).encode()).decode()
    request = urllib.request.Request(stack.url + path, data=data, headers=headers)  # noqa: S310 (loopback)
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return answer.status, dict(answer.headers), answer.read()


def test_sign_in_create_upload_download_search_and_api_on_the_production_stack(production, tmp_path):
    canton = OrganisationFactory(short_name="AMB GE", slug="ge", canton="GE")
    person = EnrolledUserFactory(first_name="Reto")
    MembershipFactory(user=person, organisation=canton, role=Role.CASE_WORKER)
    administrator = MembershipFactory(organisation=canton, role=Role.ADMINISTRATOR).user

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(
            base_url=production.url,
            locale="de-CH",
            accept_downloads=True,
            extra_http_headers={**PROXY_HEADERS, "X-Forwarded-For": CLIENT_ADDRESS},
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        # Static files come from collectstatic's manifest through whitenoise, on plain HTTP
        # despite the content security policy's upgrade-insecure-requests.
        static, broken = [], []
        page.on("response", lambda r: static.append((r.url, r.status)) if "/static/" in r.url else None)
        page.on("requestfailed", lambda r: broken.append(r.url) if "/static/" in r.url else None)

        page.goto("/de/")
        expect(page).to_have_url(re.compile(r"/de/accounts/login/"))
        page.get_by_label("E-Mail").fill(person.email)
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmeldung").click()
        expect(page).to_have_url(re.compile(r"/2fa/authenticate/"))
        page.get_by_label(re.compile("Authenticator|Code", re.I)).fill(pyotp.TOTP(person.totp_secret).now())
        page.get_by_role("button", name=re.compile("Anmeldung|Bestätigen|Sign In", re.I)).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Reto")

        answer = page.goto("/en/dossiers/")
        assert "max-age=31536000" in answer.headers["strict-transport-security"]
        assert "no-store" in answer.headers["cache-control"]
        assert {c["name"] for c in context.cookies()} >= {"__Host-sessionid", "__Host-csrftoken"}
        page.get_by_role("link", name="New dossier").click()
        page.get_by_role("textbox", name="Company", exact=True).fill("Quarzsand Bau GmbH")
        page.get_by_label("Canton of work").select_option("GE")
        page.get_by_label("Kind of control").select_option("posted_workers")
        page.get_by_role("button", name="Create dossier").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Quarzsand Bau GmbH")
        reference = re.search(r"GE-\d{4}-\d{5}", page.locator(".eyebrow").inner_text()).group(0)

        page.get_by_role("navigation", name="Dossier sections").get_by_role("link", name="Documents").click()
        page.get_by_label("Files", exact=True).set_input_files(
            [{"name": "lohnliste.csv", "mimeType": "text/csv", "buffer": PAYROLL.encode()}]
        )
        page.get_by_label("Category").select_option("control_report")
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_role("link", name="lohnliste.csv", exact=True)).to_be_visible()
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download lohnliste.csv").click()
        saved = tmp_path / "downloaded.csv"
        download_info.value.save_as(saved)
        assert download_info.value.suggested_filename == "lohnliste.csv"
        assert saved.read_bytes() == PAYROLL.encode()

        # The word is only in the file: found once the worker has extracted and indexed it.
        deadline = time.monotonic() + 60
        while True:
            page.goto("/en/search/?q=Quarzsandlieferant")
            if page.get_by_role("link", name="lohnliste.csv").count() or time.monotonic() > deadline:
                break
            time.sleep(1)
        expect(page.get_by_role("link", name="lohnliste.csv").first).to_be_visible()
        assert static and not broken
        assert {status for _url, status in static} == {200}, static
        assert any(re.search(r"\.[0-9a-f]{12}\.css$", url) for url, _status in static), static
        context.close()
        browser.close()

    client, secret = register_client(
        organisation=canton, acting_user=administrator, name="Fachanwendung", scopes=["read"]
    )
    _status, _headers, body = api(
        production,
        "/api/v1/oauth/token",
        data=b"grant_type=client_credentials",
        basic=(client.client_id, secret),
    )
    token = json.loads(body)["access_token"]
    _status, _headers, body = api(production, "/api/v1/dossiers", token=token)
    (dossier,) = [item for item in json.loads(body)["items"] if item["reference"] == reference]
    _status, _headers, body = api(production, f"/api/v1/dossiers/{dossier['id']}/documents", token=token)
    (document,) = json.loads(body)
    status, headers, content = api(production, f"/api/v1/documents/{document['id']}/content", token=token)
    assert status == 200
    assert content == PAYROLL.encode()
    assert (
        headers["Content-Digest"]
        == f"sha-256=:{base64.b64encode(hashlib.sha256(content).digest()).decode()}:"
    )

    # Behind the proxy the journal names the client, not the proxy.
    downloads = JournalEntry.objects.filter(object_reference=reference, action="download")
    assert set(downloads.values_list("address", flat=True)) == {CLIENT_ADDRESS}
    assert downloads.count() == 2

    # The scheduler's daily run, executed by the task worker.
    deadline = time.monotonic() + 120
    daily = DBTaskResult.objects.filter(task_path="portal.dossiers.tasks.daily_maintenance")
    while not daily.filter(status="SUCCESSFUL").exists() and time.monotonic() < deadline:
        time.sleep(1)
    assert daily.get().status == "SUCCESSFUL", production.log_tail()
    assert "Daily maintenance queued" in production.log("scheduler")

    production.check_running()
    access_log = production.log("gunicorn")
    assert not re.search(r'" 5\d\d ', access_log), access_log
    for name in ("gunicorn", "worker", "scheduler"):
        assert "Traceback" not in production.log(name), production.log(name)
