#!/usr/bin/env bash
# Dependency audit against requirements.lock (see scripts/audit.py for exactly what is checked).
# Offline checks always run; advisories and yanked releases are checked when pypi.org answers.
# Usage: scripts/audit.sh [--online yes|no|auto]
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/audit.py "$@"
