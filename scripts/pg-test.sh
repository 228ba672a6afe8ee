#!/usr/bin/env bash
# Runs the gateway's store tests against PostgreSQL, failing (not skipping) if there is none.
# `go test ./gateway` does this by itself whenever Debian's postgresql binaries are installed
# (it starts a throwaway cluster, owned by the postgres user when run as root) or
# GOTENSOR_PG_DSN names a server; this script installs postgresql when missing and makes
# the PostgreSQL half required. Extra arguments go to go test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${GOTENSOR_PG_DSN:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
GOTENSOR_PG_REQUIRED=1 exec go test -count=1 -run 'TestStore|TestDeposit|TestKeysStoredHashed|TestKeyFlood|TestGatewayAgainstRealNetwork' ./gateway/ "$@"
