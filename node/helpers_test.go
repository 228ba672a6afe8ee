package node_test

import (
	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
)

func signTransfer(kp *keys.Keypair, nonce uint64, chainID string, validUntil uint64, dest string, value uint64) ([]byte, error) {
	return tx.Sign(kp, tx.Build{Nonce: nonce, ChainID: chainID, ValidUntil: validUntil, Call: client.Transfer(dest, value)})
}
