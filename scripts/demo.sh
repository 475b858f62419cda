#!/usr/bin/env bash
# Set up and run the demo: the whole chain on the simulator (see README). Output in ./demo-output.
# scripts/setup.sh lists any missing Debian packages, and why each is needed, before installing them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/lagesbild demo --out "${1:-demo-output}"
