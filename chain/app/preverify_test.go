package app

import (
	"errors"
	"sync/atomic"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/keys"
)

// TestPreverify: a signature Preverify checked is not checked again by CheckTx
// or block execution; a bad one, or bytes that are no transaction, are
// refused with CheckTx's error and leave nothing remembered.
func TestPreverify(t *testing.T) {
	h := newHarness(t)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	var calls atomic.Int64
	counting := func(pub keys.PublicKey, msg, sig []byte) bool {
		calls.Add(1)
		return keys.Verify(pub, msg, sig)
	}

	good := h.sign(alice, 0, transfer(bob.SS58(), 1000))
	if err := h.app.Preverify(good, counting); err != nil {
		t.Fatalf("good transaction: %v", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("verify called %d times, want 1", calls.Load())
	}
	if err := h.app.Preverify(good, counting); err != nil || calls.Load() != 1 {
		t.Fatalf("second Preverify of the same bytes: err %v, verify calls %d (want no new check)", err, calls.Load())
	}
	if r := h.check(good); r.Code != abci.CodeTypeOK {
		t.Fatalf("CheckTx after Preverify: %d %s", r.Code, r.Log)
	}
	if res := h.block(good); res[0].Code != abci.CodeTypeOK {
		t.Fatalf("block: %d %s", res[0].Code, res[0].Log)
	}

	flipped := h.sign(bob, 0, transfer(alice.SS58(), 1000))
	flipped[len(flipped)-1] ^= 1
	if err := h.app.Preverify(flipped, counting); !errors.Is(err, tx.ErrBadSignature) {
		t.Fatalf("bad signature: %v, want ErrBadSignature", err)
	}
	// Not remembered: CheckTx checks it itself and refuses it.
	if r := h.check(flipped); r.Code == abci.CodeTypeOK {
		t.Fatal("CheckTx accepted a bad signature after Preverify refused it")
	}
	if err := h.app.Preverify([]byte{0xde, 0xad}, counting); !errors.Is(err, tx.ErrMalformed) {
		t.Fatalf("malformed bytes: %v, want ErrMalformed", err)
	}

	// The remembered check is what CheckTx relies on: a verifier that
	// accepts anything (a broken one) lets a bad signature through, which is
	// why Preverify's contract asks for keys.Verify's answers.
	forged := h.sign(bob, 0, transfer(alice.SS58(), 2000))
	forged[len(forged)-1] ^= 1
	if err := h.app.Preverify(forged, func(keys.PublicKey, []byte, []byte) bool { return true }); err != nil {
		t.Fatal(err)
	}
	if r := h.check(forged); r.Code != abci.CodeTypeOK {
		t.Fatalf("CheckTx re-checked a preverified signature: %d %s", r.Code, r.Log)
	}
}
