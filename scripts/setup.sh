#!/usr/bin/env bash
# Set up lagesbild for development or use on a machine with python3 (3.11+):
# Debian system packages from scripts/system-packages.txt (when run as root, or told how),
# a virtual environment in .venv and the package with its development tools.
# Re-running is quick: the venv is reinstalled only when pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

"$PY" -c 'import sys; assert sys.version_info >= (3, 11), "lagesbild needs Python 3.11 or newer"'

if command -v dpkg >/dev/null 2>&1 && [ -f scripts/system-packages.txt ]; then
  missing=""
  for pkg in $(grep -v '^\s*#' scripts/system-packages.txt); do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
  done
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "installing system packages:$missing"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
      echo "warning: missing system packages:$missing (run: sudo apt-get install$missing)" >&2
    fi
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# Dependencies come from requirements.lock, every file checked against its sha256 (--require-hashes);
# the package itself is then installed without dependencies. scripts/lock.sh regenerates the lock,
# scripts/audit.sh checks the environment against it.
stamp=".venv/.installed-$("$PY" -c 'import hashlib; h = hashlib.sha256(); [h.update(open(f, "rb").read()) for f in ("pyproject.toml", "requirements.lock")]; print(h.hexdigest()[:16])')"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q --require-hashes -r requirements.lock
  .venv/bin/python -m pip install -q --no-deps -e .
  .venv/bin/python -m pip check
  rm -f .venv/.installed-*
  touch "$stamp"
fi
