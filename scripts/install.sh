#!/usr/bin/env bash
# Install canhgac into ./.venv with uv (the machine's own Python, never a downloaded one)
# and vendor the front-end libraries from npm into the static files. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never

purpose="${1:-demo}"
bash scripts/system-packages.sh "$purpose"

if ! command -v uv >/dev/null 2>&1; then
  echo "Installing uv with pip"
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
  export PATH="$HOME/.local/bin:$PATH"
fi

python="$(command -v python3)"
if [ "$purpose" = "test" ]; then
  uv sync --frozen --python "$python" --quiet
else
  uv sync --frozen --no-dev --python "$python" --quiet
fi

# Translations: compile the committed .po catalogs (polib; no system gettext needed).
uv run --frozen --no-sync python -c "from pathlib import Path; from canhgac.core.i18n import compile_catalogs; compile_catalogs(Path('canhgac/locale'))"

# Front-end libraries: exact versions from package-lock.json, copied into static files so the
# running application never needs a CDN.
npm ci --no-audit --no-fund --silent
vendor=canhgac/web/static/vendor
mkdir -p "$vendor/htmx" "$vendor/pico"
cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx/htmx.min.js"
cp node_modules/@picocss/pico/css/pico.min.css "$vendor/pico/pico.min.css"
