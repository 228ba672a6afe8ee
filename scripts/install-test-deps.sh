#!/bin/sh
# Installs what optional tests need; safe to run again.
#
# wallet's TestNaClCompatPython checks the $NACL keyfile format against libsodium through
# Debian's PyNaCl (python3-nacl), and the legacy Fernet/Ansible Vault readers against
# python3-cryptography. It runs /usr/bin/python3 (not a pyenv python on PATH) and skips
# itself when the modules are missing.
set -eu

PY=/usr/bin/python3

if [ -x "$PY" ] && "$PY" -c 'import nacl.pwhash, nacl.secret, cryptography.fernet' 2>/dev/null; then
	echo "install-test-deps: python3-nacl and python3-cryptography already importable"
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-test-deps: apt-get not found; install PyNaCl and cryptography for $PY by hand" >&2
	exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends python3 python3-nacl python3-cryptography
"$PY" -c 'import nacl.pwhash, nacl.secret, cryptography.fernet'
echo "install-test-deps: done"
