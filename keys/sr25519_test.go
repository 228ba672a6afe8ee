package keys

import (
	"bytes"
	"errors"
	"math/big"
	"testing"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
)

// TestSignInteropSchnorrkel checks Sign and Verify against go-schnorrkel's own signing and
// verification, both ways, for keys made every way a Keypair is made.
func TestSignInteropSchnorrkel(t *testing.T) {
	alice, _ := FromURI("//Alice")
	derived, _ := FromURI("//Alice/soft//hard")
	seeded, _ := FromSeed([32]byte{1, 2, 3})
	for _, kp := range []*Keypair{alice, derived, seeded} {
		secret := kp.SecretKey()
		sk := schnorrkel.NewSecretKey([32]byte(secret[:32]), [32]byte(secret[32:]))
		pk, err := sk.Public()
		if err != nil {
			t.Fatal(err)
		}
		if pk.Encode() != kp.Public() {
			t.Fatalf("%s: public key differs from schnorrkel's", kp)
		}
		for _, msg := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("m"), 1000)} {
			ours, err := kp.Sign(msg)
			if err != nil {
				t.Fatal(err)
			}
			var raw [64]byte
			copy(raw[:], ours)
			var s schnorrkel.Signature
			if err := s.Decode(raw); err != nil {
				t.Fatalf("%s: schnorrkel cannot decode our signature: %v", kp, err)
			}
			if ok, err := pk.Verify(&s, schnorrkel.NewSigningContext(signingContext, msg)); !ok || err != nil {
				t.Errorf("%s: schnorrkel rejects our signature of %d bytes: %v", kp, len(msg), err)
			}
			theirs, err := sk.Sign(schnorrkel.NewSigningContext(signingContext, msg))
			if err != nil {
				t.Fatal(err)
			}
			enc := theirs.Encode()
			if !Verify(kp.Public(), msg, enc[:]) {
				t.Errorf("%s: Verify rejects schnorrkel's signature of %d bytes", kp, len(msg))
			}
		}
	}
}

// TestVerifierRejects covers what Verify must refuse beyond a wrong message or key: the
// Ed25519 form (marker bit unset), a malleated s (s + ℓ, same point equation), and keys
// that are no point or the identity.
func TestVerifierRejects(t *testing.T) {
	kp, _ := FromURI("//Alice")
	msg := []byte("hello")
	sig, _ := kp.Sign(msg)
	v, err := kp.Public().Verifier()
	if err != nil {
		t.Fatal(err)
	}
	if v.PublicKey() != kp.Public() || !v.Verify(msg, sig) {
		t.Fatal("Verifier rejects a good signature")
	}

	unmarked := bytes.Clone(sig)
	unmarked[63] &= 0x7f
	if v.Verify(msg, unmarked) {
		t.Error("signature without the schnorrkel marker verified")
	}

	// s + ℓ is the same scalar mod ℓ, so only the canonical-encoding check refuses it.
	l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	sb := bytes.Clone(sig[32:])
	sb[31] &= 0x7f
	le := func(b []byte) []byte { // little-endian ↔ big-endian
		r := bytes.Clone(b)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return r
	}
	s := new(big.Int).SetBytes(le(sb))
	s.Add(s, l)
	if s.BitLen() <= 255 {
		mall := bytes.Clone(sig)
		copy(mall[32:], le(s.FillBytes(make([]byte, 32))))
		mall[63] |= 0x80
		if v.Verify(msg, mall) {
			t.Error("malleated signature (s + ℓ) verified")
		}
	}

	for name, pub := range map[string]PublicKey{
		"identity": {},
		"no point": PublicKey(bytes.Repeat([]byte{0xff}, 32)),
	} {
		if _, err := pub.Verifier(); !errors.Is(err, ErrBadPublicKey) {
			t.Errorf("%s: Verifier() error = %v, want ErrBadPublicKey", name, err)
		}
	}
}

func TestVerifierCache(t *testing.T) {
	c := NewVerifierCache(2)
	msg := []byte("m")
	var kps []*Keypair
	for _, uri := range []string{"//Alice", "//Bob", "//Charlie", "//Dave"} {
		kp, _ := FromURI(uri)
		kps = append(kps, kp)
	}
	for round := range 2 {
		for _, kp := range kps {
			sig, _ := kp.Sign(msg)
			if !c.Verify(kp.Public(), msg, sig) {
				t.Fatalf("round %d: %s: good signature rejected", round, kp)
			}
			if c.Verify(kp.Public(), []byte("other"), sig) {
				t.Fatalf("round %d: %s: signature of another message verified", round, kp)
			}
			if n := c.Len(); n > 2 {
				t.Fatalf("cache holds %d keys, capacity 2", n)
			}
		}
	}
	sig, _ := kps[0].Sign(msg)
	if c.Verify(PublicKey{}, msg, sig) || c.Verify(PublicKey(bytes.Repeat([]byte{0xff}, 32)), msg, sig) {
		t.Error("invalid key verified")
	}
	if n := c.Len(); n > 2 {
		t.Errorf("cache holds %d keys after invalid ones, capacity 2", n)
	}
}

// TestVerifyConcurrent verifies from many goroutines at once (run it under -race): the
// transcript labels are shared, and merlin appends to them.
func TestVerifyConcurrent(t *testing.T) {
	kp, _ := FromURI("//Alice")
	c := NewVerifierCache(4)
	done := make(chan bool)
	for g := range 8 {
		go func() {
			ok := true
			for i := range 20 {
				msg := bytes.Repeat([]byte{byte(g)}, g*7+i)
				sig, err := kp.Sign(msg)
				ok = ok && err == nil && c.Verify(kp.Public(), msg, sig) && Verify(kp.Public(), msg, sig)
			}
			done <- ok
		}()
	}
	for range 8 {
		if !<-done {
			t.Error("a concurrent signature did not verify")
		}
	}
}

// TestBase58Reference checks the chunked encoder against big.Int division for lengths and
// leading zeros around every limb and chunk boundary, and that decoding restores the bytes.
func TestBase58Reference(t *testing.T) {
	ref := func(b []byte) string {
		zeros := 0
		for zeros < len(b) && b[zeros] == 0 {
			zeros++
		}
		n := new(big.Int).SetBytes(b)
		var out []byte
		for m, base := new(big.Int), big.NewInt(58); n.Sign() > 0; {
			n.DivMod(n, base, m)
			out = append(out, b58Alphabet[m.Int64()])
		}
		for range zeros {
			out = append(out, '1')
		}
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
		return string(out)
	}
	seed := uint64(1)
	for n := range 40 {
		for zeros := range min(n, 3) + 1 {
			for _, fill := range []byte{0x01, 0xff, 0} {
				b := make([]byte, n)
				for i := zeros; i < n; i++ {
					seed = seed*6364136223846793005 + 1442695040888963407
					b[i] = byte(seed >> 56)
					if fill != 0 {
						b[i] = fill
					}
				}
				got, want := base58Encode(b), ref(b)
				if got != want {
					t.Fatalf("base58Encode(%x) = %s, want %s", b, got, want)
				}
				back, err := base58Decode(got)
				if err != nil || !bytes.Equal(back, b) {
					t.Fatalf("base58Decode(%s) = %x, %v; want %x", got, back, err, b)
				}
			}
		}
	}
}
