package client

import (
	"testing"

	rpcserver "github.com/cometbft/cometbft/rpc/jsonrpc/server"
)

// TestIdleConnTimeoutBelowServerReadTimeout: CometBFT's RPC server closes a connection idle for
// its read timeout; the client must drop idle connections first, or it reuses a closed one
// and the next call fails with EOF (seen as "rpc failed, retrying" after each pause of a
// validator's step).
func TestIdleConnTimeoutBelowServerReadTimeout(t *testing.T) {
	if server := rpcserver.DefaultConfig().ReadTimeout; idleConnTimeout >= server {
		t.Fatalf("client keeps idle connections %s; CometBFT's RPC server closes them after %s", idleConnTimeout, server)
	}
}
