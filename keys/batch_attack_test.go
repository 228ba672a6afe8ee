package keys

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"testing"

	r255 "github.com/gtank/ristretto255"
)

// These tests attack VerifyBatch with signatures built to fool a batch check: its answer
// must be Verifier.Verify's for every one.

// rawSig encodes (R, s) as a schnorrkel signature.
func rawSig(r *r255.Element, s *r255.Scalar) []byte {
	sig := r.Encode(make([]byte, 0, SignatureSize))
	sig = s.Encode(sig)
	sig[63] |= 0x80
	return sig
}

// forge signs msg with kp's secret and nonce scalar r, but publishes R = r·B + d·B and
// s = k·x + r, k the challenge of the published R: the verification equation is off by
// exactly d·B, so a batch that adds another item off by −d·B with equal weights would pass.
func forge(kp *Keypair, msg []byte, r, d *r255.Scalar) []byte {
	R := r255.NewElement().ScalarBaseMult(r255.NewScalar().Add(r, d))
	rEnc := R.Encode(nil)
	k := challenge(&kp.pub, msg, rEnc)
	s := r255.NewScalar().Multiply(k, kp.x)
	s.Add(s, r)
	return rawSig(R, s)
}

func randScalar(t testing.TB) *r255.Scalar {
	var b [64]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return r255.NewScalar().FromUniformBytes(b[:])
}

// checkAgrees runs VerifyBatch on batch and fails for any answer that is not Verify's, or
// any answer that is not want's when want is given.
func checkAgrees(t *testing.T, name string, batch []SignedMessage, want []bool) {
	t.Helper()
	ok := make([]bool, len(batch))
	VerifyBatch(batch, ok)
	for i, m := range batch {
		single := m.Verifier != nil && m.Verifier.Verify(m.Msg, m.Sig)
		if ok[i] != single {
			t.Errorf("%s: signature %d: batch says %v, Verify says %v", name, i, ok[i], single)
		}
		if want != nil && ok[i] != want[i] {
			t.Errorf("%s: signature %d: got %v, want %v", name, i, ok[i], want[i])
		}
	}
}

// TestVerifyBatchCancellation: two signatures each invalid, whose errors cancel out when
// summed with equal weights (by s, by R, or by key), among valid ones. The random weights
// must catch them every time.
func TestVerifyBatchCancellation(t *testing.T) {
	alice, _ := FromURI("//Alice")
	bob, _ := FromURI("//Bob")
	va, _ := alice.Public().Verifier()
	vb, _ := bob.Public().Verifier()
	for round := range 20 {
		d := randScalar(t)
		negD := r255.NewScalar().Negate(d)
		m1, m2 := fmt.Appendf(nil, "first %d", round), fmt.Appendf(nil, "second %d", round)
		var bad []SignedMessage
		switch round % 4 {
		case 0: // errors in R, same key: R₁ + d·B and R₂ − d·B
			bad = []SignedMessage{
				{va, m1, forge(alice, m1, randScalar(t), d)},
				{va, m2, forge(alice, m2, randScalar(t), negD)},
			}
		case 1: // the same across two keys
			bad = []SignedMessage{
				{va, m1, forge(alice, m1, randScalar(t), d)},
				{vb, m2, forge(bob, m2, randScalar(t), negD)},
			}
		case 2: // errors in s, no secret needed: s₁ + d and s₂ − d of two valid signatures
			s1, _ := alice.Sign(m1)
			s2, _ := alice.Sign(m2)
			bad = []SignedMessage{{va, m1, addToS(t, s1, d)}, {va, m2, addToS(t, s2, negD)}}
		case 3: // the same key under two Verifiers (its terms merge), errors in s
			va2, _ := alice.Public().Verifier()
			s1, _ := alice.Sign(m1)
			s2, _ := alice.Sign(m2)
			bad = []SignedMessage{{va, m1, addToS(t, s1, d)}, {va2, m2, addToS(t, s2, negD)}}
		}
		batch := append(batchOf(t, 4, "//Alice", "//Bob"), bad...)
		batch = append(batch, batchOf(t, 3, "//Charlie")...)
		want := []bool{true, true, true, true, false, false, true, true, true}
		checkAgrees(t, fmt.Sprintf("round %d", round), batch, want)
		// Alone together, too (3 items: still a batch).
		checkAgrees(t, fmt.Sprintf("round %d, pair and one", round), append(bad, batch[0]), []bool{false, false, true})
	}
}

// addToS returns sig with d added to its s.
func addToS(t *testing.T, sig []byte, d *r255.Scalar) []byte {
	var sb [32]byte
	copy(sb[:], sig[32:])
	sb[31] &= 0x7f
	s := r255.NewScalar()
	if err := s.Decode(sb[:]); err != nil {
		t.Fatal(err)
	}
	R := r255.NewElement()
	if err := R.Decode(sig[:32]); err != nil {
		t.Fatal(err)
	}
	return rawSig(R, s.Add(s, d))
}

// TestVerifyBatchNegatedR: an item whose R is the negation of another's, with s the negation
// too, sums to k·A terms only; and a signature with R and s both negated.
func TestVerifyBatchNegatedR(t *testing.T) {
	alice, _ := FromURI("//Alice")
	va, _ := alice.Public().Verifier()
	base := batchOf(t, 4, "//Alice")
	for i := range 4 {
		R := r255.NewElement()
		if err := R.Decode(base[i].Sig[:32]); err != nil {
			t.Fatal(err)
		}
		var sb [32]byte
		copy(sb[:], base[i].Sig[32:])
		sb[31] &= 0x7f
		s := r255.NewScalar()
		if err := s.Decode(sb[:]); err != nil {
			t.Fatal(err)
		}
		negSig := rawSig(r255.NewElement().Negate(R), r255.NewScalar().Negate(s))
		batch := append(append([]SignedMessage(nil), base...), SignedMessage{va, base[i].Msg, negSig})
		checkAgrees(t, fmt.Sprintf("negated signature %d", i), batch, []bool{true, true, true, true, false})
	}
}

// TestVerifyBatchOddEncodings: identity R (valid when s = k·x), s = 0, non-canonical s
// (s + ℓ), non-canonical and non-point R encodings, all-zero and all-one signatures,
// duplicates, and a key's valid signature under another key's Verifier.
func TestVerifyBatchOddEncodings(t *testing.T) {
	alice, _ := FromURI("//Alice")
	bob, _ := FromURI("//Bob")
	va, _ := alice.Public().Verifier()
	vb, _ := bob.Public().Verifier()
	msg := []byte("odd")

	// R = identity: r = 0, s = k·x. A valid signature, which Verify accepts.
	id := r255.NewElement()
	k := challenge(&alice.pub, msg, id.Encode(nil))
	identitySig := rawSig(id, r255.NewScalar().Multiply(k, alice.x))

	good, _ := alice.Sign(msg)
	zeroS := bytes.Clone(good)
	clear(zeroS[32:])
	zeroS[63] |= 0x80

	// s + ℓ: the same scalar, not canonical (ℓ < 2²⁵³, so it fits under the marker bit).
	ell := [32]byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 31: 0x10}
	plusEll := bytes.Clone(good)
	plusEll[63] &= 0x7f
	carry := 0
	for i := range 32 {
		v := int(plusEll[32+i]) + int(ell[i]) + carry
		plusEll[32+i], carry = byte(v), v>>8
	}
	plusEll[63] |= 0x80

	oddR := func(r []byte) []byte { s := bytes.Clone(good); copy(s, r); return s }
	one := make([]byte, 32)
	one[0] = 1
	negZero := make([]byte, 32) // the field's p, a non-canonical zero
	copy(negZero, []byte{0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})
	// Ed25519 encodings of small-order points: none is a ristretto255 encoding but zero.
	smallOrder := [][]byte{
		one, negZero,
		{0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
		{0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
			0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
		{0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
			0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
	}

	odd := []SignedMessage{
		{va, msg, identitySig},
		{vb, msg, identitySig},
		{va, msg, zeroS},
		{va, msg, plusEll},
		{va, msg, good},
		{va, msg, good}, // duplicate
		{vb, msg, good}, // Alice's signature under Bob's key
		{va, msg, make([]byte, 64)},
		{va, msg, bytes.Repeat([]byte{0xff}, 64)},
		{va, msg, oddR(make([]byte, 32))}, // identity R with a real s
	}
	for _, r := range smallOrder {
		odd = append(odd, SignedMessage{va, msg, oddR(r)})
	}
	want := []bool{true, false, false, false, true, true, false, false, false, false}
	for range smallOrder {
		want = append(want, false)
	}
	checkAgrees(t, "odd encodings", odd, want)
	// Each odd one inside a batch of good ones, where a bad item would have to hide.
	for i, m := range odd {
		batch := append(batchOf(t, 6, "//Alice", "//Bob"), m)
		w := []bool{true, true, true, true, true, true, want[i]}
		checkAgrees(t, fmt.Sprintf("odd signature %d among good ones", i), batch, w)
	}
}

// TestVerifyBatchHostileInputs: nil and short slices, nil messages, nil Verifiers: no panic,
// and every answer Verify's.
func TestVerifyBatchHostileInputs(t *testing.T) {
	alice, _ := FromURI("//Alice")
	va, _ := alice.Public().Verifier()
	sig, _ := alice.Sign(nil)
	batch := []SignedMessage{
		{va, nil, sig}, {va, nil, nil}, {va, []byte{}, sig[:32]}, {nil, nil, sig},
		{va, nil, append(bytes.Clone(sig), 0)}, {va, nil, sig},
	}
	checkAgrees(t, "hostile", batch, []bool{true, false, false, false, false, true})
	VerifyBatch(nil, nil)
}

// BenchmarkVerifyBatchBad reports the cost per signature of a batch of 64 from 4 keys with
// some bad signatures spread through it, beside checking each alone (bad=alone).
func BenchmarkVerifyBatchBad(b *testing.B) {
	for _, nbad := range []int{-1, 0, 1, 4, 16, 32, 64} {
		name := fmt.Sprintf("bad=%d", nbad)
		if nbad < 0 {
			name = "bad=alone"
		}
		b.Run(name, func(b *testing.B) {
			batch := batchOf(b, 64, "//Alice", "//Bob", "//Charlie", "//Dave")
			for i := range max(nbad, 0) {
				p := i * 64 / max(nbad, 1)
				batch[p].Sig = bytes.Clone(batch[p].Sig)
				batch[p].Sig[40] ^= 1
			}
			ok := make([]bool, len(batch))
			for b.Loop() {
				if nbad < 0 {
					for i, m := range batch {
						ok[i] = m.Verifier.Verify(m.Msg, m.Sig)
					}
				} else {
					VerifyBatch(batch, ok)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(batch)), "µs/sig")
		})
	}
}

// TestVerifyBatchBadCostBounded counts the batch checks VerifyBatch's halving makes: a batch
// of only bad signatures (a hostile caller's) must cost the failed batch and its two halves
// and then each alone, not a check of every half down to single signatures, which costs
// more than twice checking each alone; one bad signature must still be found in about
// log₂ n checks, not n verifications.
func TestVerifyBatchBadCostBounded(t *testing.T) {
	for _, tc := range []struct {
		name       string
		bad        []int
		maxChecks  int // batch checks
		maxChecked int // signatures in them
	}{
		{"all bad", seq(64), 3, 128},
		{"every other bad", evens(64), 3, 128},
		{"one bad first", []int{0}, 12, 192},
		{"one bad last", []int{63}, 12, 192},
		{"one bad middle", []int{37}, 12, 192},
	} {
		batch := batchOf(t, 64, "//Alice", "//Bob", "//Charlie", "//Dave")
		want := make([]bool, len(batch))
		for i := range want {
			want[i] = true
		}
		for _, p := range tc.bad {
			batch[p].Sig = bytes.Clone(batch[p].Sig)
			batch[p].Sig[40] ^= 1
			want[p] = false
		}
		items := make([]batchItem, len(batch))
		for i, m := range batch {
			it, valid := parseBatchItem(m)
			if !valid {
				t.Fatalf("%s: signature %d does not parse", tc.name, i)
			}
			it.index = i
			items[i] = it
		}
		checks, checked := 0, 0
		counting := func(b []SignedMessage, its []batchItem) bool {
			checks++
			checked += len(its)
			return batchHolds(b, its)
		}
		ok := make([]bool, len(batch))
		verifyHalves(batch, items, ok, counting, false)
		for i := range ok {
			if ok[i] != want[i] {
				t.Errorf("%s: signature %d: got %v, want %v", tc.name, i, ok[i], want[i])
			}
		}
		if checks > tc.maxChecks || checked > tc.maxChecked {
			t.Errorf("%s: %d batch checks of %d signatures in all; want at most %d of %d", tc.name, checks, checked, tc.maxChecks, tc.maxChecked)
		}
		t.Logf("%s: %d batch checks of %d signatures", tc.name, checks, checked)
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func evens(n int) []int {
	var s []int
	for i := 0; i < n; i += 2 {
		s = append(s, i)
	}
	return s
}
