#!/usr/bin/env bash
# Debian packages the portal needs: Chromium for the browser tests, gettext for
# compiling translations, libmagic for file-type detection, Tesseract (German, French,
# Italian) for scanned documents, catdoc for legacy Word/Excel/PowerPoint files. Installs only what is
# missing; needs root (as on CI) or sudo.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
# libmagic detects uploaded files' types from their content.
ldconfig -p 2>/dev/null | grep -q 'libmagic\.so\.1' || missing+=(libmagic1)
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
for language in deu fra ita; do
  tesseract --list-langs 2>/dev/null | grep -qx "$language" || missing+=("tesseract-ocr-$language")
done
command -v catdoc >/dev/null 2>&1 || missing+=(catdoc)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "Cannot install ${missing[*]}: run as root or install them yourself." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
