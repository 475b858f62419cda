#!/usr/bin/env bash
# Regenerate requirements.lock (hash-pinned, for CPython 3.11 on Linux) from pyproject.toml with the dev extra.
# Pins stay at the versions installed in .venv (as constraints) unless --upgrade is given.
# pip-tools runs in a throwaway venv, so it is never a dependency of the project.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools/venv"
"$tools/venv/bin/pip" install -q pip-tools
args=(--allow-unsafe --generate-hashes --strip-extras --extra dev --no-emit-find-links --no-emit-index-url
      --no-emit-trusted-host -o requirements.lock pyproject.toml)
if [ "${1:-}" = "--upgrade" ]; then
  "$tools/venv/bin/pip-compile" -q --upgrade "${args[@]}"
else
  .venv/bin/pip freeze --exclude-editable | grep -v ' @ ' > "$tools/installed.txt"
  "$tools/venv/bin/pip-compile" -q -c "$tools/installed.txt" "${args[@]}"
  sed -i "s#$tools/installed.txt#<pip freeze of .venv>#g" requirements.lock
fi
echo "requirements.lock written; commit it with pyproject.toml"
