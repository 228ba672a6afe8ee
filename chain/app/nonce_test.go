package app

import (
	"testing"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/tx"
)

// A nonce the account has already used is refused as Stale, with a message
// naming the nonce the account is at, in the mempool and inside a block,
// and changes nothing: no fee, no nonce, no transfer.
func TestReusedNonceIsStaleAndChangesNothing(t *testing.T) {
	h := newHarness(t)
	bob, charlie := dev(t, "Bob"), dev(t, "Charlie")
	if r := h.block(h.sign(bob, 0, transfer(charlie.SS58(), balances.RAOPerTAO))); r[0].Code != 0 {
		t.Fatal(r[0].Log)
	}
	// Different bytes (another amount), the nonce already used.
	reused := h.sign(bob, 0, transfer(charlie.SS58(), 2*balances.RAOPerTAO))
	r := h.check(reused)
	if e, _ := errs.Lookup(r.Codespace, r.Code); e != tx.ErrStale {
		t.Fatalf("CheckTx: %s/%d %q, want %s", r.Codespace, r.Code, r.Log, tx.ErrStale.Name)
	}
	if !contains([]byte(r.Log), "is at 1") {
		t.Errorf("message %q does not say which nonce to use", r.Log)
	}
	ferdie := dev(t, "Ferdie") // the proposer, who would get a fee
	bobFree, charlieFree, ferdieFree := h.free(bob), h.free(charlie), h.free(ferdie)
	res := h.block(reused)
	if e, _ := errs.Lookup(res[0].Codespace, res[0].Code); e != tx.ErrStale {
		t.Fatalf("in a block: %s/%d %q, want %s", res[0].Codespace, res[0].Code, res[0].Log, tx.ErrStale.Name)
	}
	if h.free(bob) != bobFree || h.free(charlie) != charlieFree || h.free(ferdie) != ferdieFree || h.nonce(bob) != 1 {
		t.Errorf("stale tx changed state: bob %d -> %d, charlie %d -> %d, proposer %d -> %d, nonce %d",
			bobFree, h.free(bob), charlieFree, h.free(charlie), ferdieFree, h.free(ferdie), h.nonce(bob))
	}
}
