#!/usr/bin/env bash
# A throwaway PostgreSQL server for the warehouse sink's tests and for local use: installs Debian's
# `postgresql` package if missing, initialises a cluster in .stack/run/postgres (trust auth, loopback
# only), starts it on 127.0.0.1:${SES_PG_PORT:-5433} and creates the database ses_warehouse.
# Idempotent: a running server is reused. Prints the connection URL last.
#   bash scripts/install-postgres.sh          install if needed, start, create the database
#   bash scripts/install-postgres.sh --stop   stop the server (the data stays)
set -euo pipefail
cd "$(dirname "$0")/.."

port="${SES_PG_PORT:-5433}"
database="ses_warehouse"
data_dir="$PWD/.stack/run/postgres"

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

bin="$(find_bin)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "installing PostgreSQL from apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -q
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends postgresql
  bin="$(find_bin)"
fi
[ -x "$bin/initdb" ] || { echo "PostgreSQL binaries not found under /usr/lib/postgresql after install" >&2; exit 1; }

# The server refuses to run as root, so the cluster belongs to the `postgres` user the package creates.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The postgres user must be able to reach the data directory; a checkout under a private home cannot.
mkdir -p "$data_dir"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$data_dir"
  if ! runuser -u postgres -- test -x "$data_dir"; then
    data_dir="/var/tmp/ses-kafka-postgres-$(printf '%s' "$PWD" | sha256sum | cut -c1-12)"
    echo "the postgres user cannot reach $PWD; using $data_dir instead"
    mkdir -p "$data_dir"
    chown postgres:postgres "$data_dir"
  fi
fi
chmod 700 "$data_dir"

if [ "${1:-}" = "--stop" ]; then
  if [ -f "$data_dir/postmaster.pid" ]; then as_pg "$bin/pg_ctl" -D "$data_dir" -m fast -w stop; else echo "not running"; fi
  exit 0
fi

if [ ! -f "$data_dir/PG_VERSION" ]; then
  as_pg "$bin/initdb" -D "$data_dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi

if as_pg "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
  echo "PostgreSQL already running on 127.0.0.1:$port"
else
  as_pg "$bin/pg_ctl" -D "$data_dir" -l "$data_dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$data_dir" start >/dev/null
  echo "PostgreSQL started on 127.0.0.1:$port (data $data_dir, log $data_dir/server.log)"
fi

exists="$(as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = '$database'")"
if [ "$exists" != "1" ]; then
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$database"
fi
echo "postgres://postgres@127.0.0.1:$port/$database"
