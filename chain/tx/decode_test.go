package tx

import (
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/gotensor/gotensor/chain/tx/txpb"
)

// Each malformed envelope is refused by Decode with its error and a message
// that names what is wrong.
func TestDecodeRefusesMalformedEnvelopes(t *testing.T) {
	kp := alice(t)
	pub := kp.Public()
	transfer := &txpb.Call{Call: &txpb.Call_Transfer{Transfer: &txpb.Transfer{Dest: "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", Value: 1}}}
	envelope := func(body *txpb.TxBody, extra []byte) []byte {
		b, err := proto.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, extra...)
		sig, err := kp.Sign(SigningPayload(b))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := proto.Marshal(&txpb.Tx{Body: b, Signature: sig})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	good := func() *txpb.TxBody {
		return &txpb.TxBody{Signer: pub[:], Nonce: 1, ChainId: "c", ValidUntil: 10, Call: transfer}
	}
	shortSig, _ := proto.Marshal(&txpb.Tx{Body: []byte{}, Signature: make([]byte, 63)})
	badBody, _ := proto.Marshal(&txpb.Tx{Body: []byte{0xff, 0xff, 0xff}, Signature: make([]byte, 64)})
	shortSigner := good()
	shortSigner.Signer = pub[:31]
	noChain := good()
	noChain.ChainId = ""
	noCall := good()
	noCall.Call = nil
	emptyCall := good()
	emptyCall.Call = &txpb.Call{}
	for _, c := range []struct {
		name string
		raw  []byte
		want error
		msg  string
	}{
		{"over the size limit", make([]byte, MaxTxBytes+1), ErrTooLarge, "limit"},
		{"not protobuf", []byte{0xde, 0xad, 0xbe, 0xef}, ErrMalformed, "envelope"},
		{"63-byte signature", shortSig, ErrMalformed, "signature is 63 bytes"},
		{"body not protobuf", badBody, ErrMalformed, "body"},
		{"31-byte signer", envelope(shortSigner, nil), ErrMalformed, "signer is 31 bytes"},
		{"empty chain id", envelope(noChain, nil), ErrMalformed, "chain_id"},
		{"no call", envelope(noCall, nil), ErrUnknownCall, "no call"},
		{"empty call", envelope(emptyCall, nil), ErrUnknownCall, "no call"},
		{"unknown body field", envelope(good(), []byte{0xf8, 0x07, 0x01}), ErrUnknownCall, "fields this node does not know"},
	} {
		_, err := Decode(c.raw)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want %v mentioning %q", c.name, err, c.want, c.msg)
		}
	}
	if _, err := Decode(envelope(good(), nil)); err != nil {
		t.Fatalf("the well-formed envelope the cases derive from: %v", err)
	}
}

// Sign refuses what the chain would refuse: no call, or too large.
func TestSignRefusesNoCallAndOversized(t *testing.T) {
	if _, err := Sign(alice(t), Build{ChainID: "c", ValidUntil: 1}); err == nil {
		t.Error("signed a transaction with no call")
	}
	big := &txpb.Call{Call: &txpb.Call_Transfer{Transfer: &txpb.Transfer{Dest: strings.Repeat("x", MaxTxBytes), Value: 1}}}
	if _, err := Sign(alice(t), Build{ChainID: "c", ValidUntil: 1, Call: big}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized: %v", err)
	}
}
