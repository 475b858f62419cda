#!/usr/bin/env bash
# Set up lagesbild for development or use on a machine with python3 (3.11+):
# Debian system packages from scripts/system-packages.txt (listed with the reason for each first, then
# installed with apt-get when run as root unless LAGESBILD_NO_APT=1; otherwise the command is printed),
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
    # Say what is missing and why (the comment above each package in system-packages.txt) before
    # anything is installed; LAGESBILD_NO_APT=1 only prints the list.
    echo "lagesbild needs these Debian system packages, which are not installed:"
    for pkg in $missing; do
      why=$(awk -v p="$pkg" '/^[[:space:]]*#/ {c=$0; sub(/^[[:space:]]*#[[:space:]]*/, "", c); next} $1 == p {print c; exit}' \
        scripts/system-packages.txt)
      echo "  $pkg  ($why)"
    done
    if [ "$(id -u)" = 0 ] && [ -z "${LAGESBILD_NO_APT:-}" ]; then
      echo "installing them with apt-get (as root; set LAGESBILD_NO_APT=1 to skip and install them yourself)"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
      echo "warning: not installing them; run: sudo apt-get install$missing" >&2
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
