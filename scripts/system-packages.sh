#!/usr/bin/env bash
# Install the Debian packages canhgac needs: `demo` (Node.js/npm to vendor front-end libraries)
# or `test` (plus PostgreSQL, Redis, Chromium, gettext and fonts with Vietnamese glyphs).
# As root it runs apt-get; otherwise it prints the one apt-get line to run and fails if
# something is missing.
set -euo pipefail

purpose="${1:-test}"
packages=(nodejs npm)
commands=(node npm)
if [ "$purpose" = "test" ]; then
  packages+=(postgresql redis-server chromium gettext shellcheck dash fonts-noto-core fonts-dejavu-core)
  commands+=(pg_ctlcluster redis-server chromium msgfmt shellcheck dash)
fi

missing=()
for i in "${!commands[@]}"; do
  command -v "${commands[$i]}" >/dev/null 2>&1 || missing+=("${packages[$i]}")
done
# (grep -c reads everything: with -q, fc-list could die of SIGPIPE and fail the pipeline)
if [ "$purpose" = "test" ] && [ "$(fc-list 2>/dev/null | grep -ci noto)" = "0" ]; then
  missing+=(fonts-noto-core fonts-dejavu-core)
fi
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages. Run once, as root:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
