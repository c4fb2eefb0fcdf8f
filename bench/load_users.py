"""Locust's simulated people for ``bench/load.py`` (run by it; reads the plan it seeded).

Each simulated person is one seeded person of one organisation, signed in (its session was
made by ``load_data.py seed``), and mixes what people do: the dossier list, dossier pages,
search, downloads, uploads through the page's form, and the exchange API through their
organisation's client. Every request goes through the stand-in of the TLS proxy (its
``X-Forwarded-*`` headers). A sample of answers is written, with the references they
name, for the isolation oracle; a dossier the person must not see must answer 404.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115 (read once at start)
SAMPLES = open(os.environ["LOAD_SAMPLES"], "a", buffering=1)  # noqa: SIM115 (open for the whole run)
SAMPLE_EVERY = int(os.environ.get("LOAD_SAMPLE_EVERY", "2"))
REFERENCE = re.compile(r"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d{4}-\d{5}\b")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WORDS = ["Lohnkontrolle", "Maurer", "Quarzsand", "Muster Bau", "lohnliste", "Edilizia", "Fassaden"]
_people = itertools.count()


def _payroll(n: int) -> bytes:
    rows = [f"Nachkontrolle {n};Maurer;{30 + k}.50" for k in range(random.randint(20, 400))]
    return ("Name;Funktion;Stundenlohn\n" + "\n".join(rows) + "\n").encode()


def _digest_differs(answer) -> str | None:
    digest = base64.b64encode(hashlib.sha256(answer.content).digest()).decode()
    if digest not in answer.headers.get("Content-Digest", ""):
        return "content does not match its Content-Digest"
    return None


class Person(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        number = next(_people)
        self.me = PLAN["users"][number % len(PLAN["users"])]
        self.api_client = PLAN["clients"][self.me["organisation"]]
        self.cookies = {PLAN["session_cookie"]: self.me["session"]}
        self.proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-For": f"198.51.100.{number % 250 + 1}"}
        self.token = None
        self.answers = 0

    # -- plumbing ------------------------------------------------------------------------
    def _headers(self, extra=None) -> dict:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {**self.proxy, "Cookie": cookie, **(extra or {})}

    def _sample(self, who: str, kind: str, text: str) -> None:
        self.answers += 1
        if self.answers % SAMPLE_EVERY == 0:
            references = sorted(set(REFERENCE.findall(text)))
            SAMPLES.write(json.dumps({"who": who, "kind": kind, "references": references}) + "\n")

    def page(self, method, path, name, *, expect=200, sample=True, **kwargs):
        """A page as the signed-in person; secure cookies kept by hand (plain HTTP to the stack)."""
        headers = self._headers(kwargs.pop("headers", None))
        with self.client.request(
            method, path, name=name, headers=headers, allow_redirects=False, catch_response=True, **kwargs
        ) as answer:
            self.cookies.update({c.name: c.value for c in answer.cookies})
            if answer.status_code != expect:
                answer.failure(f"{answer.status_code} instead of {expect}")
                return answer
            answer.success()  # a 302 or 404 may be the right answer
            if sample and "text/html" in answer.headers.get("Content-Type", ""):
                self._sample(self.me["email"], name, answer.text)
            return answer

    def api(self, method, path, name, *, expect=200, check=None, **kwargs):
        if self.token is None:
            credentials = f"{self.api_client['id']}:{self.api_client['secret']}".encode()
            with self.client.post(
                "/api/v1/oauth/token",
                name="api token",
                data={"grant_type": "client_credentials"},
                headers={**self.proxy, "Authorization": "Basic " + base64.b64encode(credentials).decode()},
                catch_response=True,
            ) as answer:
                if answer.status_code != 200:
                    answer.failure(f"token: {answer.status_code}")
                    return None
                self.token = answer.json()["access_token"]
        headers = {**self.proxy, "Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        with self.client.request(
            method, path, name=name, headers=headers, catch_response=True, **kwargs
        ) as answer:
            if answer.status_code == 401:
                self.token = None  # expired during a long run: a new one next time
            if answer.status_code != expect:
                answer.failure(f"{answer.status_code} instead of {expect}: {answer.text[:200]}")
            elif check and (problem := check(answer)):
                answer.failure(problem)
            elif answer.headers.get("Content-Type", "").startswith("application/json"):
                self._sample(self.api_client["id"], name, answer.text)
            return answer

    def _visible(self):
        return random.choice(self.me["visible"])

    # -- what people do ------------------------------------------------------------------
    @task(4)
    def dossier_list(self):
        page = random.choice(["", "?page=2", "?status=opened", "?ordering=-updated_at", "?canton=GE"])
        self.page("GET", f"/en/dossiers/{page}", "list")

    @task(4)
    def dossier_page(self):
        dossier = self._visible()
        self.page("GET", f"/en/dossiers/{dossier['pk']}/", "dossier page")
        if random.random() < 0.5:
            self.page("GET", f"/en/dossiers/{dossier['pk']}/documents/", "dossier documents tab")

    @task(3)
    def search(self):
        self.page("GET", "/en/search/", "search", params={"q": random.choice(WORDS)})

    @task(2)
    def download(self):
        dossier = self._visible()
        path = f"/en/dossiers/{dossier['pk']}/documents/{dossier['document']}/v{dossier['version']}/download/"
        self.page("GET", path, "download", sample=False)

    @task(1)
    def upload(self):
        if not self.me["contribute"]:
            return
        pk = random.choice(self.me["contribute"])
        form = self.page("GET", f"/en/dossiers/{pk}/documents/", "dossier documents tab")
        token = CSRF.search(form.text)
        if not token:
            return
        self.page(
            "POST",
            f"/en/dossiers/{pk}/documents/",
            "upload (form)",
            expect=302,
            sample=False,
            data={"csrfmiddlewaretoken": token.group(1), "category": "payroll"},
            files={"files": (f"nachkontrolle-{random.randint(1, 10**6)}.csv", _payroll(pk), "text/csv")},
            headers={"Origin": f"https://{self.host.split('://', 1)[1]}"},
        )

    @task(1)
    def foreign_dossier(self):
        """The isolation probe: a dossier of another body, not shared, answers 404."""
        if self.me["foreign"]:
            self.page(
                "GET",
                f"/en/dossiers/{random.choice(self.me['foreign'])}/",
                "foreign dossier (404)",
                expect=404,
            )

    @task(2)
    def api_calls(self):
        self.api("GET", "/api/v1/dossiers", "api list")
        dossier = random.choice(self.api_client["visible"])
        self.api("GET", f"/api/v1/dossiers/{dossier['pk']}", "api dossier")
        self.api(
            "GET", f"/api/v1/documents/{dossier['document']}/content", "api download", check=_digest_differs
        )

    @task(1)
    def api_upload(self):
        if not self.api_client["contribute"]:
            return
        pk = random.choice(self.api_client["contribute"])
        body = _payroll(pk)
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        self.api(
            "POST",
            f"/api/v1/dossiers/{pk}/documents",
            "api upload",
            expect=201,
            params={"file_name": f"api-{random.randint(1, 10**6)}.csv"},
            data=body,
            headers={"Content-Type": "application/octet-stream", "Content-Digest": f"sha-256=:{digest}:"},
        )
