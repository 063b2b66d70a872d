#!/usr/bin/env bash
# The whole test run, as CI does it: static checks, the suite on SQLite (with browser tests in
# headless Chromium and the Redis round trip), then the suite again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never
export DJANGO_SETTINGS_MODULE=config.settings.test
if [ -z "${CANHGAC_HOME:-}" ]; then
  CANHGAC_HOME="$(mktemp -d)"
  own_home="$CANHGAC_HOME"
fi
export CANHGAC_HOME
run() { echo; echo "==> $*"; "$@"; }

run uv run --frozen ruff check .
run uv run --frozen ruff format --check .
run uv run --frozen lint-imports
run uv run --frozen mypy
run uv run --frozen python manage.py makemigrations --check --dry-run
run uv run --frozen python scripts/check_translations.py
echo; echo "==> production settings pass Django's deployment checks"
DJANGO_SETTINGS_MODULE=config.settings.production \
  SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))')" \
  uv run --frozen python manage.py check --deploy --fail-level WARNING

# Under /tmp rather than $TMPDIR: when run as root the servers run as the postgres user, who
# must be able to reach this directory. The trap stops the servers and removes what we made.
services_dir="$(mktemp -d /tmp/canhgac-services.XXXXXX)"
trap 'bash scripts/services.sh stop "$services_dir"; rm -rf "${own_home:-/nonexistent-canhgac}"' EXIT
eval "$(bash scripts/services.sh start "$services_dir")"

echo; echo "==> test suite on SQLite (with browser tests and the Redis round trip)"
uv run --frozen pytest -n 2 -p no:cacheprovider

echo; echo "==> test suite on PostgreSQL"
DATABASE_URL="$CANHGAC_TEST_DATABASE_URL" uv run --frozen pytest -n 2 -p no:cacheprovider -m "not browser"
