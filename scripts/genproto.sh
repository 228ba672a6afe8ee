#!/usr/bin/env bash
# Regenerates the committed Go code for proto/**.proto.
# Needs protoc (Debian: apt-get install protobuf-compiler); protoc-gen-go is
# run at the version pinned in go.mod, so output is reproducible.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v protoc >/dev/null; then
  apt-get update -qq && apt-get install -y -qq protobuf-compiler
fi
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
GOBIN="$bin" go install google.golang.org/protobuf/cmd/protoc-gen-go
PATH="$bin:$PATH" protoc -I proto \
  --go_out=. --go_opt=module=github.com/gotensor/gotensor \
  $(find proto -name '*.proto' | sort)
