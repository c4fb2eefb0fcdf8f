#!/usr/bin/env bash
# Build a throw-away Plone 6.0 site, fill it with representative content and export it with
# collective.exportimport: the reference fixture of `manage.py import_plone`.
#
#   scripts/plone-export.sh [OUT_DIR]        (default: tests/knowledge/plone_export)
#
# Everything Plone lives under var/plone (its own virtual environment, Zope instance and
# ZODB), never in the portal's .venv; `rm -rf var/plone` removes it. Only PyPI is needed:
# the versions come from scripts/plone/constraints.txt (Plone 6.0.13 and Zope 5.10 pins,
# see scripts/plone/versions_to_constraints.py). Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$(realpath -m "${1:-tests/knowledge/plone_export}")
PLONE=$ROOT/var/plone
PYTHON=${PLONE_PYTHON:-python3.11}

if [ -n "$(ls -A "$OUT" 2>/dev/null)" ] && [ ! -e "$OUT/export_localroles.json" ]; then
    echo "$OUT is not empty and holds no earlier export: not overwriting it" >&2
    exit 1
fi

if [ ! -x "$PLONE/venv/bin/zconsole" ]; then
    echo "Installing Plone into $PLONE/venv (a few minutes)"
    rm -rf "$PLONE/venv"
    "$PYTHON" -m venv "$PLONE/venv"
    "$PLONE/venv/bin/pip" install -q --upgrade pip
    "$PLONE/venv/bin/pip" install -q -c scripts/plone/constraints.txt \
        Products.CMFPlone plone.app.contenttypes plone.app.multilingual plone.restapi \
        'collective.exportimport==1.16'
fi

# A fresh instance and database on every run, so the export is always the same content.
rm -rf "$PLONE/instance"
"$PLONE/venv/bin/mkwsgiinstance" -d "$PLONE/instance" -u admin:admin >/dev/null
# Blobs (files, images) need a blob directory, which mkwsgiinstance does not configure.
sed -i 's|^\( *\)path \$INSTANCE/var/Data.fs|&\n\1blob-dir $INSTANCE/var/blobstorage|' "$PLONE/instance/etc/zope.conf"
# The add-on's wheel is named collective_exportimport, which Plone 6.0's plone.autoinclude
# cannot map to its package: load its ZCML explicitly, as buildout's `zcml =` would.
mkdir -p "$PLONE/instance/etc/package-includes"
echo '<include xmlns="http://namespaces.zope.org/zope" package="collective.exportimport" />' \
    >"$PLONE/instance/etc/package-includes/001-collective.exportimport-configure.zcml"
export AUTOINCLUDE_ALLOW_MODULE_NOT_FOUND_ERROR=collective_exportimport

rm -rf "$OUT"
mkdir -p "$OUT"
COLLECTIVE_EXPORTIMPORT_CENTRAL_DIRECTORY=$OUT "$PLONE/venv/bin/zconsole" run "$PLONE/instance/etc/zope.conf" \
    scripts/plone/build_and_export.py
echo "Export written to $OUT ($(du -sh "$OUT" | cut -f1))"
