"""scripts/install-system-packages.sh against a fake Debian: apt is left alone when nothing is
missing, and a lock held by another package manager is waited for, not a failure."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "install-system-packages.sh"
PACKAGES = (
    "chromium gettext libmagic1 tesseract-ocr tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-ita catdoc"
)
FAKES = {
    "id": "echo 0",
    # dpkg-query -W -f=... PACKAGE: "installed" for the packages in $INSTALLED
    "dpkg-query": 'for p in $INSTALLED; do [ "$p" = "${@: -1}" ] && printf installed && exit 0; done; exit 1',
    # apt-get logs its arguments; the first $LOCKED calls find the lists locked, as with a
    # concurrent `apt-get update`; $BROKEN makes every call fail otherwise.
    "apt-get": """echo "$*" >> "$LOG"
calls=$(wc -l < "$LOG")
if [ "$calls" -le "${LOCKED:-0}" ]; then
  echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2; exit 100
fi
[ -z "${BROKEN:-}" ] || { echo "E: Failed to fetch http://deb.debian.org/..." >&2; exit 100; }""",
}


@pytest.fixture
def debian(tmp_path):
    """Runs the script with fake id, dpkg-query and apt-get; returns (result, apt-get calls)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "env", "grep", "mktemp", "cat", "rm", "sleep", "wc"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    for name, body in FAKES.items():
        (bin_dir / name).write_text(f"#!{shutil.which('bash')}\n{body}\n")
        (bin_dir / name).chmod(0o755)
    log = tmp_path / "apt.log"

    def run(**env):
        result = subprocess.run(
            [shutil.which("bash"), str(SCRIPT)],
            env={"PATH": str(bin_dir), "LOG": str(log), "APT_RETRY_SECONDS": "0", **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result, log.read_text().splitlines() if log.exists() else []

    return run


def test_apt_is_not_run_when_everything_is_installed(debian):
    result, calls = debian(INSTALLED=PACKAGES)
    assert result.returncode == 0 and result.stdout == ""
    assert calls == []


def test_a_held_lock_is_waited_for_and_the_missing_packages_installed(debian):
    result, calls = debian(INSTALLED="gettext libmagic1 catdoc", LOCKED="2")
    assert result.returncode == 0, result.stderr
    assert "Could not get lock" in result.stderr and "trying again" in result.stderr
    assert [call.split()[2] for call in calls] == ["update", "update", "update", "install"]
    assert all(call.startswith("-o DPkg::Lock::Timeout=600 ") for call in calls)
    assert calls[-1].endswith("chromium tesseract-ocr tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-ita")


def test_other_failures_are_not_retried(debian):
    result, calls = debian(INSTALLED="", BROKEN="1")
    assert result.returncode != 0
    assert len(calls) == 1 and "Failed to fetch" in result.stderr


def test_a_lock_held_too_long_fails_with_apts_message(debian):
    result, calls = debian(INSTALLED="", LOCKED="1000", APT_LOCK_WAIT="0")
    assert result.returncode != 0
    assert len(calls) == 1 and "Could not get lock" in result.stderr
