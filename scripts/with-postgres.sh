#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server on 127.0.0.1, exported to it as
# TEMPLATE_TEST_POSTGRES_URL; the server and its data are gone when the command ends.
# When TEMPLATE_TEST_POSTGRES_URL is already set, the command runs against that server instead.
set -euo pipefail

if [ -n "${TEMPLATE_TEST_POSTGRES_URL:-}" ]; then
  exec "$@"
fi

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing PostgreSQL from Debian's packages..." >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  else
    echo "error: PostgreSQL server binaries not found (install the 'postgresql' package)" >&2
    exit 1
  fi
fi

workdir=$(mktemp -d /tmp/template-pg.XXXXXX)
password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '%s\n' "$password" >"$workdir/pwfile"

as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown -R postgres: "$workdir"
  as_owner=(runuser -u postgres --)
fi

stop() {
  "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$workdir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap stop EXIT

"${as_owner[@]}" "$pg_bin/initdb" -D "$workdir/data" -U postgres --pwfile="$workdir/pwfile" \
  --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$workdir/initdb.log" 2>&1 \
  || { cat "$workdir/initdb.log" >&2; exit 1; }
"${as_owner[@]}" "$pg_bin/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -o \
  "-c listen_addresses=127.0.0.1 -p $port -k $workdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$workdir/server.log" >&2; exit 1; }

export TEMPLATE_TEST_POSTGRES_URL="postgresql+psycopg://postgres:$password@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') running on 127.0.0.1:$port" >&2
"$@"
