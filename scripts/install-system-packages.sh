#!/usr/bin/env bash
# Debian packages the portal needs: Chromium for the browser tests, gettext for
# compiling translations, libmagic for file-type detection, Tesseract (German, French,
# Italian) for scanned documents, catdoc for legacy Word/Excel/PowerPoint files.
#
# When everything is there, apt is not touched at all (no root, no lock, no network).
# Otherwise it installs what is missing, as root (as on CI) or with sudo, and waits for
# another package manager (unattended upgrades, a second checkout's `make`) instead of
# failing on its lock: apt-get itself waits for dpkg's lock (DPkg::Lock::Timeout), but
# not for the package lists' lock that `apt-get update` takes, so a step refused for a
# lock is retried until APT_LOCK_WAIT seconds (default 600) have passed.
set -euo pipefail

APT_LOCK_WAIT=${APT_LOCK_WAIT:-600}
APT_RETRY_SECONDS=${APT_RETRY_SECONDS:-5}

installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }

missing=()
# Each package counts as present when Debian says so, or when what it provides is found
# (for instance a Chromium installed some other way).
installed chromium || command -v chromium >/dev/null 2>&1 || missing+=(chromium)
installed gettext || command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
# ldconfig lives in /sbin, which is not on an ordinary user's PATH.
installed libmagic1 || /sbin/ldconfig -p 2>/dev/null | grep -q 'libmagic\.so\.1' || missing+=(libmagic1)
installed tesseract-ocr || command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
for language in deu fra ita; do
  installed "tesseract-ocr-$language" || tesseract --list-langs 2>/dev/null | grep -qx "$language" ||
    missing+=("tesseract-ocr-$language")
done
installed catdoc || command -v catdoc >/dev/null 2>&1 || missing+=(catdoc)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "Cannot install ${missing[*]}: run as root or install them yourself." >&2
  exit 1
fi

# apt-get with its arguments, retried while another process holds one of apt's locks.
apt_get() {
  local errors started=$SECONDS
  errors=$(mktemp)
  while true; do
    if "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get -o DPkg::Lock::Timeout="$APT_LOCK_WAIT" "$@" 2>"$errors"; then
      rm -f "$errors"
      return 0
    fi
    cat "$errors" >&2
    if ! grep -q -e 'Could not get lock' -e 'Unable to lock' -e 'Unable to acquire' "$errors" ||
      [ $((SECONDS - started)) -ge "$APT_LOCK_WAIT" ]; then
      rm -f "$errors"
      return 1
    fi
    echo "Another process holds apt's lock; trying again in ${APT_RETRY_SECONDS} s..." >&2
    sleep "$APT_RETRY_SECONDS"
  done
}

apt_get update -qq
apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
