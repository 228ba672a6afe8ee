#!/bin/sh
# Installs what optional tests need; safe to run again. Each part is tried on its own, so one
# that cannot install (no network, no apt) does not keep the others out; the script exits 1 at
# the end if any part failed, and the tests that need it skip themselves.
#
# - wallet's TestNaClCompatPython checks the $NACL keyfile format against libsodium through
#   Debian's PyNaCl (python3-nacl), and the legacy Fernet/Ansible Vault readers against
#   python3-cryptography. It runs /usr/bin/python3 (not a pyenv python on PATH).
# - gateway's store and deposit tests run against PostgreSQL when Debian's postgresql
#   binaries are installed (the tests start a throwaway cluster themselves).
# - gateway's TestOpenAINodeClient runs the official openai npm client, pinned in
#   gateway/testdata/openai-js (npm ci there; needs Node.js).
set -u
cd "$(dirname "$0")/.."

PY=/usr/bin/python3
OPENAI_JS=gateway/testdata/openai-js

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
updated=""
apt_install() {
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "install-test-deps: apt-get not found; install $* by hand" >&2
		return 1
	fi
	if [ -z "$updated" ]; then
		$SUDO apt-get update -qq || return 1
		updated=1
	fi
	$SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null || return 1
}

python_deps() {
	if [ -x "$PY" ] && "$PY" -c 'import nacl.pwhash, nacl.secret, cryptography.fernet' 2>/dev/null; then
		echo "install-test-deps: python3-nacl and python3-cryptography already importable"
		return 0
	fi
	apt_install python3 python3-nacl python3-cryptography || return 1
	"$PY" -c 'import nacl.pwhash, nacl.secret, cryptography.fernet' || return 1
}

postgres() {
	if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
		echo "install-test-deps: PostgreSQL already installed"
		return 0
	fi
	apt_install postgresql || return 1
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || return 1
}

openai_js() {
	if ! command -v npm >/dev/null 2>&1; then
		apt_install nodejs npm || return 1
	fi
	# npm ci reinstalls from scratch; skip it when the locked version is already there.
	want=$(sed -n 's/.*"openai": *"\([^"]*\)".*/\1/p' "$OPENAI_JS/package.json")
	have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$OPENAI_JS/node_modules/openai/package.json" 2>/dev/null | head -1)
	if [ -n "$want" ] && [ "$want" = "$have" ]; then
		echo "install-test-deps: openai npm client $have already installed"
		return 0
	fi
	(cd "$OPENAI_JS" && npm ci --no-audit --no-fund --loglevel=error --fetch-retries=1 --fetch-retry-maxtimeout=10000) || return 1
}

failed=""
for part in python_deps postgres openai_js; do
	if ! $part; then
		echo "install-test-deps: $part failed; the tests (or test halves) that need it will skip" >&2
		failed="$failed $part"
	fi
done
if [ -n "$failed" ]; then
	echo "install-test-deps: not installed:$failed" >&2
	exit 1
fi
echo "install-test-deps: done"
