#!/usr/bin/env bash
# Start the services the tests need (PostgreSQL) if they are not running, and make sure the
# test database is reachable. Prints the URL the tests use. Fails loudly if it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."
URL=${LAGESBILD_TEST_PG:-postgresql+psycopg://postgres@127.0.0.1:5432/test}

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "PostgreSQL is not installed: run scripts/setup.sh as root (it installs scripts/system-packages.txt)" >&2
    exit 1
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do
    pg_isready -h 127.0.0.1 -p 5432 -q && break
    sleep 1
  done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL did not start" >&2; exit 1; }

# The default URL connects as postgres without a password (trust authentication on loopback, as
# this project's machines are set up). On a stock Debian install, enable that for loopback only.
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    hba=$(su postgres -c "psql -Atqc 'show hba_file'")
    sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
    su postgres -c "psql -qc 'select pg_reload_conf()'" >/dev/null
  fi
fi
psql -h 127.0.0.1 -U postgres -d postgres -Atqc "select 1 from pg_database where datname='test'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -d postgres -qc 'create database test'
echo "PostgreSQL ready: $URL"
