#!/usr/bin/env bash
# Install the Debian packages canhgac needs: `demo` (Node.js/npm to vendor front-end libraries;
# Pango and Liberation/DejaVu fonts with Vietnamese glyphs, which WeasyPrint needs to write the
# official documents as PDF) or `test` (plus PostgreSQL, Redis, Chromium, gettext and Noto).
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
# WeasyPrint (documents as PDF) loads Pango; the documents are set in Liberation Serif (Times New
# Roman's metrics; version 2 has the Vietnamese glyphs) with DejaVu Serif as the fallback.
# Libraries and fonts are files, not commands: look for them with ldconfig and fc-list.
command -v fc-list >/dev/null 2>&1 || missing+=(fontconfig)
ldconfig -p 2>/dev/null | grep -c 'libpango-1\.0\.so' >/dev/null || missing+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -c 'libpangoft2-1\.0\.so' >/dev/null || missing+=(libpangoft2-1.0-0)
if [ "$(fc-list ':family=Liberation Serif:charset=1ec7' 2>/dev/null | grep -c .)" = "0" ]; then
  missing+=(fonts-liberation2)
fi
if [ "$(fc-list ':family=DejaVu Serif' 2>/dev/null | grep -c .)" = "0" ]; then
  missing+=(fonts-dejavu-core)
fi
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
