#!/usr/bin/env bash
# Make sure Chromium is there for the browser tests (Debian's package; Playwright never
# downloads a browser). Where it cannot be installed, the browser tests are skipped and pytest
# says so in its summary.
set -uo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium for the browser tests (apt-get, about a minute)…"
  if apt-get update -qq && apt-get install -y -qq chromium >/dev/null; then
    exit 0
  fi
fi
echo "WARNING: Chromium is not installed and could not be installed here: the browser tests" \
  "will be skipped. On Debian/Ubuntu: sudo apt-get install chromium"
exit 0
