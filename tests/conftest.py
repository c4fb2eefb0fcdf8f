"""Shared fixtures. Tests run on real PostgreSQL (embedded unless DATABASE_URL is set)."""

from __future__ import annotations

import factory.random
import pytest
from django.core.cache import cache
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tenants.roles import Role
from tests.tenants.factories import MembershipFactory, OrganisationFactory

# Property tests and the API fuzzing draw the same examples on every run ("derandomized",
# without an example database), so that a failure of the default suite reproduces and is a
# defect, never bad luck. `--hypothesis-profile=random` (make test-long, make fuzz) draws
# new examples each run; a failure there prints the seed and a @reproduce_failure blob.
_HYPOTHESIS = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}
hypothesis_settings.register_profile("portal", derandomize=True, **_HYPOTHESIS)
hypothesis_settings.register_profile("random", **_HYPOTHESIS)
hypothesis_settings.load_profile("portal")  # the plugin loads --hypothesis-profile after this file


def _engine_line() -> str:
    import json
    import os
    import urllib.request

    from tests.search.conftest import OPT_OUT, URL_FILE

    if os.environ.get(OPT_OUT, "").lower() in {"1", "true", "yes"}:
        return f"search engine: TESTS SWITCHED OFF by {OPT_OUT} (the engine parameter is skipped)"
    url = os.environ.get("PORTAL_SEARCH_TEST_URL") or (
        URL_FILE.read_text().strip() if URL_FILE.exists() else ""
    )
    if not url:
        return "search engine: no node running yet; scripts/opensearch.sh starts one on first use"
    try:
        with urllib.request.urlopen(url.split(",")[0], timeout=5) as answer:  # noqa: S310 (the test node)
            version = json.load(answer)["version"]
    except (OSError, ValueError, KeyError) as exc:
        return f"search engine: {url} does not answer ({exc}); the engine tests will fail"
    return (
        f"search engine: {version.get('distribution', 'elasticsearch')} {version['number']} "
        f"(Lucene {version.get('lucene_version', '?')}) at {url}"
    )


def pytest_report_header(config):
    return _engine_line()


def pytest_terminal_summary(terminalreporter):
    line = _engine_line()
    if "SWITCHED OFF" in line:
        terminalreporter.write_sep("!", line.upper())


# The modules that take longest, longest first: each runs first among the tests of its kind
# (see below), so that with two processes (make test: pytest-xdist) the other process works
# through the short tests meanwhile instead of waiting for one of these at the end.
LONG_MODULES = (
    "tests/oracle/test_policy_oracle.py",
    "tests/dossiers/test_isolation_oracle.py",
    "tests/search/test_conformance.py",
    "tests/production/test_production_stack.py",
    "tests/search/test_engine_faults.py",
)


def _long_rank(item) -> int:
    path = item.path.as_posix()
    return next((rank for rank, name in enumerate(LONG_MODULES) if path.endswith(name)), len(LONG_MODULES))


def _database_kind(item) -> int:
    """pytest-django's order, as Django's runner's: tests in a rolled-back transaction (0), then
    transactional tests (1), whose flush empties the tables (the Wagtail root page that the
    migrations made among them), then tests without the database (2)."""
    from pytest_django.plugin import validate_django_db

    fixtures = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    transaction, reset_sequences = validate_django_db(marker)[:2] if marker else (False, False)
    if transaction or reset_sequences or fixtures & {"transactional_db", "live_server"}:
        return 1
    return 0 if marker or "db" in fixtures else 2


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: they keep a Chromium and Playwright's event loop open.

    The production stack's test runs before them: it opens and closes its own Playwright,
    which cannot run beside the browser tests' one. Otherwise pytest-django's order holds
    (no test in a transaction after a flush), with the long modules first in their kind.
    In a parallel run (pytest-xdist, ``--dist load``) every process collects this order and
    is handed its tests in it, so each process keeps it too.
    """
    browser = [item for item in items if "/tests/browser/" in str(item.path)]
    for item in browser:
        item.add_marker(pytest.mark.browser)
    for item in items:
        if "/tests/production/" in str(item.path):
            item.add_marker(pytest.mark.production)
    others = sorted(
        (item for item in items if item not in browser),
        key=lambda item: (_database_kind(item), _long_rank(item)),  # stable within a key
    )
    items[:] = others + browser


@pytest.fixture(autouse=True)
def _same_fake_data(request):
    """Factories draw the same names in every run of a test, whatever ran before it."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def _default_language():
    """A request leaves its language active in the test's thread (a test that asked for /fr/
    made the next test's ``reverse`` French): each test starts from the portal's default."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Rate limits live in the cache: each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def organisation_a(db):
    return OrganisationFactory(short_name="AMB GE", slug="ge", canton="GE")


@pytest.fixture
def organisation_b(db):
    return OrganisationFactory(short_name="PK Bau", slug="pk-bau", kind="joint_commission", canton="CH")


def _member(organisation, role):
    return MembershipFactory(organisation=organisation, role=role).user


@pytest.fixture
def admin_a(organisation_a):
    return _member(organisation_a, Role.ADMINISTRATOR)


@pytest.fixture
def reader_a(organisation_a):
    return _member(organisation_a, Role.READER)


@pytest.fixture
def worker_a(organisation_a):
    return _member(organisation_a, Role.CASE_WORKER)


@pytest.fixture
def admin_b(organisation_b):
    return _member(organisation_b, Role.ADMINISTRATOR)


@pytest.fixture
def worker_b(organisation_b):
    return _member(organisation_b, Role.CASE_WORKER)


@pytest.fixture
def signed_in(client):
    """Sign a user in with both factors done (the user must already be enrolled)."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def document_storage(tmp_path, settings):
    """Each test stores documents in a folder of its own; returns that folder."""
    location = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


def stored_files(location) -> list:
    return sorted(p for p in location.rglob("*") if p.is_file()) if location.exists() else []
