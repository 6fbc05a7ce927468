#!/usr/bin/env bash
# Make sure the system programs some tests drive are there, from Debian's packages: Chromium for
# the browser tests (Playwright never downloads a browser) and nginx for the proxy test
# (deploy/nginx.conf). Where they cannot be installed, those tests are skipped and pytest says
# so in its summary.
set -uo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} for the browser and proxy tests (apt-get, about a minute)…"
  if apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; then
    exit 0
  fi
fi
echo "WARNING: ${missing[*]} not installed and could not be installed here: the tests that" \
  "need them will be skipped. On Debian/Ubuntu: sudo apt-get install ${missing[*]}"
exit 0
