"""The portal started as production starts it: gunicorn, a task worker and the scheduler.

The production test (``tests/production/``) and the load benchmark (``bench/load.py``) use
the same stack: ``portal.settings.production``, secrets made up for the run and passed
through the environment, ``DATABASE_URL`` naming a database of the embedded PostgreSQL
server, static files collected into a folder of the run, documents stored under it. The
stack listens on 127.0.0.1 only. Production requires HTTPS; the TLS proxy of the README
is stood in for by the headers it sets (``X-Forwarded-Proto``, ``X-Forwarded-For``), which
the settings trust with ``DJANGO_BEHIND_TLS_PROXY=true`` and ``PORTAL_PROXY_COUNT=1``.
"""

from __future__ import annotations

import base64
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def throwaway_secrets() -> dict[str, str]:
    """Fresh production secrets, never written anywhere but the processes' environment."""

    def key() -> str:
        return base64.b64encode(os.urandom(32)).decode()

    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PORTAL_SECRETS_KEY": key(),
        "STATISTICS_COMPANY_KEY": secrets.token_urlsafe(32),
        "PORTAL_FILE_KEYS": f"k1:{key()}",
    }


def database_url(settings_dict: dict) -> str:
    """A ``DATABASE_URL`` for Django's connection settings (a Unix socket folder as host)."""
    user = quote(settings_dict.get("USER") or "postgres", safe="")
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{quote(password, safe='')}" if password else user
    host = quote(settings_dict.get("HOST") or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{settings_dict['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StackFailed(RuntimeError):
    pass


class ProductionStack:
    """gunicorn, ``db_worker`` and ``scheduler`` with production settings, on 127.0.0.1."""

    def __init__(
        self,
        *,
        database_url: str,
        workdir: Path,
        secrets: dict[str, str] | None = None,
        workers: int = 2,
        threads: int = 1,
        scheduler_interval: int = 60,
        extra_env: dict[str, str] | None = None,
    ):
        self.workdir = Path(workdir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.secrets = secrets or throwaway_secrets()
        self.workers = workers
        self.threads = threads
        self.scheduler_interval = scheduler_interval
        self.scheduler_args: list[str] = []
        self.processes: dict[str, subprocess.Popen] = {}
        self.timings: dict[str, float] = {}
        self.logs = self.workdir / "logs"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "PORTAL_", "DATABASE_"))
        }
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": "portal.settings.production",
                **self.secrets,
                "DATABASE_URL": database_url,
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                # Chromium on http://127.0.0.1 sends that origin; behind the real proxy the
                # origin is the https one Django expects.
                "DJANGO_CSRF_TRUSTED_ORIGINS": self.url,
                "DJANGO_BEHIND_TLS_PROXY": "true",
                "PORTAL_PROXY_COUNT": "1",
                "PORTAL_BASE_URL": self.url,
                "PORTAL_STATIC_ROOT": str(self.workdir / "static"),
                "PORTAL_MEDIA_ROOT": str(self.workdir / "media"),
                "PORTAL_DOCUMENT_ROOT": str(self.workdir / "documents"),
                "PORTAL_LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
                **(extra_env or {}),
            }
        )

    # -- preparation ---------------------------------------------------------------------
    def manage(self, *args: str, timeout: float = 600) -> str:
        """Run ``manage.py`` with the production environment; its output, or StackFailed."""
        done = subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise StackFailed(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def prepare(self, *, migrate: bool = False) -> None:
        """What an installation does before starting: migrate, cache table, static files."""
        self.logs.mkdir(parents=True, exist_ok=True)
        steps = [("migrate", "--no-input", "-v", "0")] if migrate else []
        steps += [("createcachetable",), ("collectstatic", "--no-input", "-v", "0")]
        for step in steps:
            started = time.monotonic()
            self.manage(*step)
            self.timings[step[0]] = round(time.monotonic() - started, 1)

    # -- processes -----------------------------------------------------------------------
    def _spawn(self, name: str, argv: list[str]) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start(self, *, timeout: float = 60) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        python = str(VENV_BIN / "python")
        self._spawn(
            "gunicorn",
            [
                str(VENV_BIN / "gunicorn"),
                "portal.wsgi",
                f"--workers={self.workers}",
                f"--threads={self.threads}",
                f"--bind=127.0.0.1:{self.port}",
                "--access-logfile=-",
                "--graceful-timeout=10",
                "--timeout=120",
            ],
        )
        self._spawn("worker", [python, "manage.py", "db_worker", "--queue-name", "*", "--no-startup-delay"])
        self._spawn(
            "scheduler",
            [python, "manage.py", "scheduler", f"--interval={self.scheduler_interval}", *self.scheduler_args],
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_running()
            try:
                with urllib.request.urlopen(f"{self.url}/health/", timeout=5) as answer:  # noqa: S310 (loopback)
                    if answer.status == 200:
                        self.timings["start"] = round(time.monotonic() - started, 1)
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise StackFailed(f"the portal did not answer /health/ within {timeout} s\n{self.log_tail()}")

    def check_running(self) -> None:
        ended = {name: p.returncode for name, p in self.processes.items() if p.poll() is not None}
        if ended:
            raise StackFailed(f"ended early: {ended}\n{self.log_tail()}")

    def pids(self) -> dict[str, int]:
        """Every process of the stack: gunicorn's master and each worker by name."""
        import psutil

        found = {}
        for name, process in self.processes.items():
            found[name] = process.pid
            if name == "gunicorn":
                for index, child in enumerate(psutil.Process(process.pid).children()):
                    found[f"gunicorn-worker-{index + 1}"] = child.pid
        return found

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(
            f"--- {name} ---\n" + "\n".join(self.log(name).splitlines()[-lines:]) for name in self.processes
        )

    def stop(self, *, timeout: float = 20) -> dict[str, int | None]:
        """SIGTERM to each process group, SIGKILL after ``timeout``; the exit codes."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        return {name: process.returncode for name, process in self.processes.items()}

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()
