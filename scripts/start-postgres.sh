#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server on 127.0.0.1 for the hub tests and prints its connection string.
# Idempotent: a server already running on the port is reused, the role and database are created once.
# Installs Debian's postgresql when no server binaries are found (needs root, as in CI).
#   POLYMATH_PG_PORT (default 55432), POLYMATH_PG_DATA (default /tmp/polymath-pg)
set -euo pipefail

port=${POLYMATH_PG_PORT:-55432}
data=${POLYMATH_PG_DATA:-/tmp/polymath-pg}
role=polymath
password=polymath
database=polymath_hub_test

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

bin=$(find_bin)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "start-postgres: no PostgreSQL server found and cannot install it (need root and apt-get)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q postgresql >&2
  bin=$(find_bin)
fi
[ -x "$bin/initdb" ] || { echo "start-postgres: initdb not found under /usr/lib/postgresql" >&2; exit 1; }

# PostgreSQL refuses to run as root: run the server as the 'postgres' system user then.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$data" --shell /bin/sh postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [ ! -f "$data/PG_VERSION" ]; then
  mkdir -p "$data"
  [ "$(id -u)" -eq 0 ] && chown postgres "$data"
  chmod 700 "$data"
  as_owner "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --no-locale >&2
  # The superuser may connect over loopback without a password (only the tests' own machine can reach it).
  echo "host all postgres 127.0.0.1/32 trust" > "$data/pg_hba.prepend"
  cat "$data/pg_hba.prepend" "$data/pg_hba.conf" > "$data/pg_hba.new" && mv "$data/pg_hba.new" "$data/pg_hba.conf"
  [ "$(id -u)" -eq 0 ] && chown postgres "$data/pg_hba.conf"
fi

if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$data -c max_connections=200 -c fsync=off" start >&2 \
    || { echo "start-postgres: the server did not start; last lines of $data/server.log:" >&2; tail -n 20 "$data/server.log" >&2; exit 1; }
fi

psql_super() { "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
for _ in $(seq 1 30); do psql_super -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
psql_super -c 'SELECT 1' >/dev/null || { echo "start-postgres: cannot connect to 127.0.0.1:$port" >&2; exit 1; }

if [ "$(psql_super -c "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" != "1" ]; then
  psql_super -c "CREATE ROLE $role LOGIN PASSWORD '$password'"
fi
if [ "$(psql_super -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" != "1" ]; then
  psql_super -c "CREATE DATABASE $database OWNER $role ENCODING 'UTF8'"
fi

echo "Host=127.0.0.1;Port=$port;Username=$role;Password=$password;Database=$database"
