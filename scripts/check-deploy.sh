#!/usr/bin/env bash
# `manage.py check --deploy` with the production settings and throw-away secrets:
# proves production settings are complete and clean without committing any secret.
# The check does not connect to the database, so a placeholder URL is enough.
set -euo pipefail
cd "$(dirname "$0")/.."
DJANGO_SETTINGS_MODULE=portal.settings.production \
DJANGO_SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
PORTAL_SECRETS_KEY="$(.venv/bin/python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')" \
STATISTICS_COMPANY_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')" \
PORTAL_FILE_KEYS="k1:$(.venv/bin/python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')" \
DJANGO_ALLOWED_HOSTS="portal.example.ch" \
DATABASE_URL="${DATABASE_URL:-postgres://portal@db.invalid:5432/portal}" \
  .venv/bin/python manage.py check --deploy --fail-level WARNING
