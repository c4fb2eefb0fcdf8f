"""The embedded PostgreSQL stops when the last process holding it ends, however it ends."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
HOLD = "import time; print('holding', flush=True); time.sleep(600)"


def postmaster(data_dir: Path) -> psutil.Process | None:
    try:
        pid = int((data_dir / "postmaster.pid").read_text().split()[0])
        return psutil.Process(pid)
    except (FileNotFoundError, psutil.NoSuchProcess):
        return None


def hold(data_dir: Path) -> subprocess.Popen:
    """A manage.py process on the embedded server in ``data_dir``, as `make run` starts them."""
    env = {**os.environ, "PORTAL_EMBEDDED_PGDATA": str(data_dir)}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.development"
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", HOLD],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
    )
    assert process.stdout.readline().strip() == b"holding"
    return process


@pytest.fixture
def data_dir():
    """A server of its own, beside the one the tests use; stopped and removed afterwards."""
    folder = ROOT / "var" / f"holders-test-{os.getpid()}"
    yield folder / "postgres"
    server = postmaster(folder / "postgres")
    if server is not None:
        server.send_signal(signal.SIGINT)  # PostgreSQL's fast shutdown
        server.wait(30)
    shutil.rmtree(folder, ignore_errors=True)


def test_the_last_holder_stops_the_server_on_sigterm_even_after_another_was_killed(data_dir):
    first, second = hold(data_dir), hold(data_dir)
    server = postmaster(data_dir)
    assert server is not None and server.is_running()
    first.kill()  # SIGKILL, as the development server's reloader ends its child: no exit hooks
    first.wait()
    assert server.is_running()
    second.terminate()  # SIGTERM, as `make run` stops its processes and systemd its services
    assert second.wait(60) == 128 + signal.SIGTERM
    deadline = time.monotonic() + 30
    while server.is_running() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not server.is_running() and postmaster(data_dir) is None
