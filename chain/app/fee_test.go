package app

import (
	"testing"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/system"
	"github.com/gotensor/gotensor/chain/tx"
)

// The fee is base + per byte + tip, all of it to the block proposer; a tip
// that overflows the fee, or that the balance cannot pay, is refused and
// changes nothing.
func TestTipIsPaidToProposer(t *testing.T) {
	h := newHarness(t)
	bob, charlie, ferdie := dev(t, "Bob"), dev(t, "Charlie"), dev(t, "Ferdie")
	signTip := func(nonce, tip uint64) []byte {
		raw, err := tx.Sign(bob, tx.Build{Nonce: nonce, ChainID: chainID, ValidUntil: uint64(h.height + 10), Tip: tip,
			Call: transfer(charlie.SS58(), balances.RAOPerTAO)})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	const tip = 123_456_789
	raw := signTip(0, tip)
	p := system.DefaultParams()
	want := p.FeeBase + p.FeePerByte*uint64(len(raw)) + tip
	if res := h.block(raw); res[0].Code != 0 {
		t.Fatal(res[0].Log)
	}
	if got := h.free(ferdie); got != want {
		t.Errorf("proposer got %d, want base+bytes+tip %d", got, want)
	}
	if got := h.free(bob); got != 10*balances.RAOPerTAO-balances.RAOPerTAO-want {
		t.Errorf("bob = %d, want %d", got, 10*balances.RAOPerTAO-balances.RAOPerTAO-want)
	}

	bobFree, ferdieFree := h.free(bob), h.free(ferdie)
	for name, raw := range map[string][]byte{
		"tip overflows the fee":   signTip(1, ^uint64(0)),
		"tip larger than balance": signTip(1, 100*balances.RAOPerTAO),
	} {
		r := h.check(raw)
		if e, _ := errs.Lookup(r.Codespace, r.Code); e != tx.ErrCannotPayFee {
			t.Errorf("%s: CheckTx %s/%d %q, want %s", name, r.Codespace, r.Code, r.Log, tx.ErrCannotPayFee.Name)
		}
		if res := h.block(raw); res[0].Code == 0 {
			t.Errorf("%s: executed in a block", name)
		}
	}
	if h.free(bob) != bobFree || h.free(ferdie) != ferdieFree || h.nonce(bob) != 1 {
		t.Errorf("refused tips changed state: bob %d -> %d, proposer %d -> %d, nonce %d", bobFree, h.free(bob), ferdieFree, h.free(ferdie), h.nonce(bob))
	}
}
