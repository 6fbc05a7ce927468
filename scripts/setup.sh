#!/usr/bin/env bash
# Install the project and its pinned dependencies into .venv. Safe to rerun: it does nothing
# when pyproject.toml and constraints.txt have not changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
stamp=.venv/.installed
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)

if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $($python --version)…"
  "$python" -m venv .venv
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing dependencies into .venv (first time: a few minutes)…"
  # torch first, pinned: an unpinned torch drags in several GB of CUDA wheels.
  .venv/bin/pip install --quiet --disable-pip-version-check torch==2.13.0
  .venv/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
  echo "$want" > "$stamp"
fi
