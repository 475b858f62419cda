#!/usr/bin/env bash
# Set up and run every check: lint, types, generated docs, and the whole test suite on
# SQLite and PostgreSQL. This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/start-services.sh
echo "== dependency audit (requirements.lock; advisories too when PyPI answers)"
bash scripts/audit.sh --online auto
echo "== ruff"
.venv/bin/ruff check src tests bench scripts
echo "== mypy (strict on the package)"
.venv/bin/mypy
echo "== generated docs"
.venv/bin/python scripts/gen_docs.py --check
echo "== pytest"
# one BLAS thread per worker: multithreaded OpenBLAS on 2 cores made small solves 25x slower
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
.venv/bin/python -m pytest -n "${LAGESBILD_TEST_WORKERS:-2}" -q "$@"
