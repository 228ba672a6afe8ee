#!/usr/bin/env bash
# Runs the gateway's store tests against PostgreSQL: installs it from Debian packages when
# missing, starts a throwaway cluster (owned by the postgres user, safe as root) on a local
# port, sets GOTENSOR_PG_DSN and runs `go test ./gateway/`. Extra arguments go to go test.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DIR=$(mktemp -d /tmp/gotensor-pg.XXXXXX)
PORT=${PGPORT:-55432}
chown postgres "$DIR"
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
as_pg "$BIN/initdb -D $DIR/data -U postgres -A trust >/dev/null"
as_pg "$BIN/pg_ctl -D $DIR/data -o '-p $PORT -k $DIR -c listen_addresses=127.0.0.1' -l $DIR/log -w start >/dev/null"
trap 'as_pg "$BIN/pg_ctl -D $DIR/data -m fast stop >/dev/null" || true; rm -rf "$DIR"' EXIT
export GOTENSOR_PG_DSN="postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"
go test -count=1 -run 'TestStore' ./gateway/ "$@"
