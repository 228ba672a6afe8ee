package tx

import (
	"errors"
	"testing"

	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

func alice(t testing.TB) *keys.Keypair {
	kp, err := keys.FromURI("//Alice")
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

func sample(t testing.TB) []byte {
	raw, err := Sign(alice(t), Build{Nonce: 7, ChainID: "c", ValidUntil: 100, Tip: 5,
		Call: &txpb.Call{Call: &txpb.Call_Transfer{Transfer: &txpb.Transfer{Dest: "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", Value: 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestSignDecodeVerify(t *testing.T) {
	raw := sample(t)
	d, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if d.Signer != alice(t).Public() || d.Body.Nonce != 7 || CallName(d.Body.Call) != "transfer" {
		t.Fatalf("decoded %+v", d.Body)
	}
	if err := d.VerifySignature(); err != nil {
		t.Fatal(err)
	}
	// Any change to the signed bytes breaks the signature.
	for i := range d.BodyBytes {
		d2, _ := Decode(raw)
		d2.BodyBytes = append([]byte(nil), d2.BodyBytes...)
		d2.BodyBytes[i] ^= 0x01
		if d2.VerifySignature() == nil {
			t.Fatalf("flipping body byte %d kept the signature valid", i)
		}
	}
}

func TestSignatureIsDomainSeparated(t *testing.T) {
	d, _ := Decode(sample(t))
	// A plain message signature over the body must not pass as a tx signature.
	sig, _ := alice(t).Sign(d.BodyBytes)
	d.Signature = sig
	if !errors.Is(d.VerifySignature(), ErrBadSignature) {
		t.Fatal("signature over the bare body was accepted")
	}
}

// FuzzDecode: arbitrary bytes never panic the decoder or the verifier.
func FuzzDecode(f *testing.F) {
	f.Add(sample(f))
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x00, 0x12, 0x40})
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := Decode(raw)
		if err != nil {
			return
		}
		if len(d.Signature) != 64 || len(d.Body.Signer) != 32 {
			t.Fatal("decode accepted bad lengths")
		}
		_ = d.VerifySignature()
		_ = CallName(d.Body.Call)
	})
}
