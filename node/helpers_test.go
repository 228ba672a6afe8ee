package node_test

import (
	"fmt"
	"math/rand/v2"
	"net"
	"testing"

	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
)

func signTransfer(kp *keys.Keypair, nonce uint64, chainID string, validUntil uint64, dest string, value uint64) ([]byte, error) {
	return tx.Sign(kp, tx.Build{Nonce: nonce, ChainID: chainID, ValidUntil: validUntil, Call: client.Transfer(dest, value)})
}

// testnetBasePort picks a testnet.BasePort whose ports (base+10i .. base+10i+3 for
// validators validators) are free now, below Linux's ephemeral range (32768-60999): ports
// in it are handed to other tests' outgoing connections at any moment, which made a
// restarted validator fail with "address already in use".
func testnetBasePort(t *testing.T, validators int) int {
	t.Helper()
	for range 100 {
		base := 10000 + 10*rand.IntN(2000) // 10000-29990
		if portsFree(base, validators) {
			return base
		}
	}
	t.Fatal("no free block of testnet ports between 10000 and 32000")
	return 0
}

func portsFree(base, validators int) bool {
	for i := range validators {
		for off := range 4 {
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+10*i+off))
			if err != nil {
				return false
			}
			ln.Close()
		}
	}
	return true
}
