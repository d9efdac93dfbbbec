#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for trying `hangar server --store postgres:…`, the same way the tests do: initdb into a
# temp dir and pg_ctl start listening on a unix socket in that dir only (no TCP). Prints the --store value and how to
# stop it. Needs Debian's `postgresql` package (scripts/install-deps.sh). As root, the server runs as the `postgres`
# user (initdb refuses root); otherwise as you. Not for real data: fsync is off and anyone who can enter the directory
# gets in without a password.
#   scripts/postgres-dev.sh            start one; prints its directory
#   scripts/postgres-dev.sh stop DIR   stop it (pg_ctl stop -m immediate) and delete DIR
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "error: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); run scripts/install-deps.sh." >&2
  exit 1
fi
as_server=()
if [ "$(id -u)" -eq 0 ]; then as_server=(runuser -u postgres --); fi

if [ "${1:-}" = "stop" ]; then
  dir=${2:?usage: scripts/postgres-dev.sh stop DIR}
  [ -f "$dir/data/PG_VERSION" ] || { echo "error: $dir is not a directory this script made." >&2; exit 1; }
  (cd "$dir" && "${as_server[@]}" "$bin/pg_ctl" stop -m immediate -w -D "$dir/data" >/dev/null)
  rm -rf "$dir"
  echo "stopped and deleted $dir"
  exit 0
fi
[ $# -eq 0 ] || { echo "usage: scripts/postgres-dev.sh [stop DIR]" >&2; exit 1; }

dir=$(mktemp -d /tmp/hangar-pg-XXXXXX)
[ ${#as_server[@]} -eq 0 ] || chown postgres:postgres "$dir"
cd "$dir"
start=$(date +%s%N)
"${as_server[@]}" "$bin/initdb" -D "$dir/data" -U hangar -A trust -E UTF8 --locale=C --no-sync --no-instructions >"$dir/initdb.log"
"${as_server[@]}" "$bin/pg_ctl" start -w -D "$dir/data" -l "$dir/server.log" \
  -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off" >/dev/null
"${as_server[@]}" "$bin/createdb" -h "$dir" -U hangar hangar
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') started in ${ms} ms, listening on the unix socket in $dir (log: $dir/server.log)"
echo
echo "  hangar server --store 'postgres:Host=$dir;Database=hangar;Username=hangar'"
echo "  psql -h $dir -U hangar hangar"
echo
echo "stop and delete it: scripts/postgres-dev.sh stop $dir"
