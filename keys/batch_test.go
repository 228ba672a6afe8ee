package keys

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
)

// batchOf signs n messages, spread over the given keys, and returns them as a batch.
func batchOf(t testing.TB, n int, uris ...string) []SignedMessage {
	t.Helper()
	var verifiers []*Verifier
	var signers []*Keypair
	for _, uri := range uris {
		kp, err := FromURI(uri)
		if err != nil {
			t.Fatal(err)
		}
		v, err := kp.Public().Verifier()
		if err != nil {
			t.Fatal(err)
		}
		signers, verifiers = append(signers, kp), append(verifiers, v)
	}
	batch := make([]SignedMessage, n)
	for i := range batch {
		k := i % len(signers)
		msg := fmt.Appendf(nil, "message %d", i)
		sig, err := signers[k].Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		batch[i] = SignedMessage{Verifier: verifiers[k], Msg: msg, Sig: sig}
	}
	return batch
}

func TestVerifyBatchAllValid(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 4, 7, 16, 33} {
		for _, uris := range [][]string{{"//Alice"}, {"//Alice", "//Bob", "//Charlie"}} {
			batch := batchOf(t, n, uris...)
			ok := make([]bool, n)
			VerifyBatch(batch, ok)
			for i, good := range ok {
				if !good {
					t.Errorf("n=%d keys=%d: valid signature %d refused", n, len(uris), i)
				}
			}
		}
	}
}

// TestVerifyBatchFindsBadOnes puts one or more bad signatures of each kind at several
// places in a batch: exactly those must be refused, and every good one accepted.
func TestVerifyBatchFindsBadOnes(t *testing.T) {
	other, _ := FromURI("//Dave")
	bad := map[string]func(m *SignedMessage){
		"wrong message": func(m *SignedMessage) { m.Msg = append(bytes.Clone(m.Msg), '!') },
		"other signer": func(m *SignedMessage) {
			m.Sig, _ = other.Sign(m.Msg)
		},
		"flipped s bit": func(m *SignedMessage) { m.Sig = bytes.Clone(m.Sig); m.Sig[40] ^= 1 },
		"flipped R bit": func(m *SignedMessage) { m.Sig = bytes.Clone(m.Sig); m.Sig[3] ^= 4 },
		"no marker":     func(m *SignedMessage) { m.Sig = bytes.Clone(m.Sig); m.Sig[63] &= 0x7f },
		"short":         func(m *SignedMessage) { m.Sig = m.Sig[:63] },
		"R not a point": func(m *SignedMessage) { m.Sig = bytes.Clone(m.Sig); copy(m.Sig, bytes.Repeat([]byte{0xff}, 32)) },
		"no verifier":   func(m *SignedMessage) { m.Verifier = nil },
		// Another valid signature's R and s, swapped in whole: valid, but for another message.
		"replayed signature": func(m *SignedMessage) { m.Sig = bytes.Clone(m.Sig); m.Msg = []byte("different") },
	}
	for name, spoil := range bad {
		for _, positions := range [][]int{{0}, {8}, {16}, {3, 11}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}} {
			batch := batchOf(t, 17, "//Alice", "//Bob")
			want := make([]bool, len(batch))
			for i := range want {
				want[i] = true
			}
			for _, p := range positions {
				spoil(&batch[p])
				want[p] = false
			}
			ok := make([]bool, len(batch))
			VerifyBatch(batch, ok)
			for i := range ok {
				if ok[i] != want[i] {
					t.Errorf("%s at %v: signature %d: got %v, want %v", name, positions, i, ok[i], want[i])
				}
			}
		}
	}
}

// TestVerifyBatchAgreesWithVerify spoils random bytes of random signatures and keys and
// checks that the batch answer for each is Verify's.
func TestVerifyBatchAgreesWithVerify(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 40 {
		batch := batchOf(t, 3+rng.IntN(20), "//Alice", "//Bob", "//Eve")
		for i := range batch {
			if rng.IntN(4) == 0 {
				batch[i].Sig = bytes.Clone(batch[i].Sig)
				batch[i].Sig[rng.IntN(64)] ^= byte(1 << rng.IntN(8))
			}
		}
		ok := make([]bool, len(batch))
		VerifyBatch(batch, ok)
		for i, m := range batch {
			if want := m.Verifier.Verify(m.Msg, m.Sig); ok[i] != want {
				t.Fatalf("round %d: signature %d: batch says %v, Verify says %v", round, i, ok[i], want)
			}
		}
	}
}

// TestVerifyBatchSchnorrkelSignatures checks signatures made by go-schnorrkel, not by us.
func TestVerifyBatchSchnorrkelSignatures(t *testing.T) {
	kp, _ := FromURI("//Ferdie")
	secret := kp.SecretKey()
	sk := schnorrkel.NewSecretKey([32]byte(secret[:32]), [32]byte(secret[32:]))
	v, _ := kp.Public().Verifier()
	batch := make([]SignedMessage, 9)
	for i := range batch {
		msg := fmt.Appendf(nil, "schnorrkel %d", i)
		sig, err := sk.Sign(schnorrkel.NewSigningContext(signingContext, msg))
		if err != nil {
			t.Fatal(err)
		}
		enc := sig.Encode()
		batch[i] = SignedMessage{Verifier: v, Msg: msg, Sig: enc[:]}
	}
	ok := make([]bool, len(batch))
	VerifyBatch(batch, ok)
	for i, good := range ok {
		if !good {
			t.Errorf("schnorrkel signature %d refused", i)
		}
	}
}

func TestVerifyBatchLengthMismatchPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for ok shorter than batch")
		}
	}()
	VerifyBatch(batchOf(t, 2, "//Alice"), make([]bool, 1))
}

// BenchmarkVerifyBatch reports the cost per signature of batches of several sizes, from one
// key and from 8 keys, beside single verification (keys=1/n=1 is Verifier.Verify).
func BenchmarkVerifyBatch(b *testing.B) {
	uris := []string{"//Alice", "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie", "//One", "//Two"}
	for _, keys := range []int{1, 8} {
		for _, n := range []int{1, 4, 8, 16, 32, 64} {
			if n < keys {
				continue
			}
			b.Run(fmt.Sprintf("keys=%d/n=%d", keys, n), func(b *testing.B) {
				batch := batchOf(b, n, uris[:keys]...)
				ok := make([]bool, n)
				for b.Loop() {
					if n == 1 {
						ok[0] = batch[0].Verifier.Verify(batch[0].Msg, batch[0].Sig)
					} else {
						VerifyBatch(batch, ok)
					}
					if !ok[n-1] {
						b.Fatal("refused")
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/sig")
			})
		}
	}
}
