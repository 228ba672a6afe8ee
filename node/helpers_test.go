package node_test

import (
	"testing"

	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/internal/freeport"
	"github.com/gotensor/gotensor/keys"
)

func signTransfer(kp *keys.Keypair, nonce uint64, chainID string, validUntil uint64, dest string, value uint64) ([]byte, error) {
	return tx.Sign(kp, tx.Build{Nonce: nonce, ChainID: chainID, ValidUntil: validUntil, Call: client.Transfer(dest, value)})
}

// testnetBasePort picks a testnet.BasePort whose ports (base+10i .. base+10i+3 for
// validators validators) are free now, below the kernel's ephemeral range (see package
// freeport): ports in it are handed to other tests' outgoing connections at any moment,
// which made a restarted validator fail with "address already in use".
func testnetBasePort(t *testing.T, validators int) int {
	t.Helper()
	base, err := freeport.Block(10 * validators)
	if err != nil {
		t.Fatal(err)
	}
	return base
}
