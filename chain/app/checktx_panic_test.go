package app

import (
	"context"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/system"
	"github.com/gotensor/gotensor/chain/tx/txpb"
)

// TestCheckTxHandlerPanicIsInternal: block execution turns a handler panic
// into an Internal transaction failure (runCall), but CheckTx runs the same
// handlers (staking calls validate by executing) from the mempool
// connection, where an unrecovered panic takes the node down. A broken
// staking params record stands in for any handler bug here.
func TestCheckTxHandlerPanicIsInternal(t *testing.T) {
	h := stakingHarness(t, 1)
	alice := dev(t, "Alice")
	// Break the staking params in the mempool's view only.
	h.app.check.Set(codec.Key(staking.Module, 0x05), []byte("{"))
	raw := h.sign(alice, h.nonce(alice), stakeCall(&txpb.AddStake{Hotkey: keyN(100).SS58(), Netuid: 1, Amount: 10_000_000_000}))
	var resp *abci.CheckTxResponse
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("CheckTx panicked: %v", r)
			}
		}()
		var err error
		if resp, err = h.app.CheckTx(context.Background(), &abci.CheckTxRequest{Tx: raw, Type: abci.CHECK_TX_TYPE_CHECK}); err != nil {
			t.Fatal(err)
		}
	}()
	if got, _ := errs.Lookup(resp.Codespace, resp.Code); got != errs.Internal {
		t.Fatalf("CheckTx: %s/%d %q, want %s", resp.Codespace, resp.Code, resp.Log, errs.Internal.Name)
	}
	// The rejected transaction took no nonce in the mempool view.
	if got, want := system.Nonce(h.app.check, alice.Public()), h.nonce(alice); got != want {
		t.Fatalf("mempool nonce %d after the rejected tx, want %d", got, want)
	}
}
