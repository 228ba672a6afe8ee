package keys

import (
	"crypto/rand"

	r255 "github.com/gtank/ristretto255"
)

// Batch verification checks many signatures for much less than one verification each, the
// way a busy server wants: n signatures (Rᵢ, sᵢ) of messages with challenges kᵢ by keys Aᵢ
// are all valid, but for a chance of 2⁻¹²⁸, when
//
//	Σ zᵢ·Rᵢ + Σ zᵢkᵢ·Aᵢ − (Σ zᵢsᵢ)·B = 0
//
// for random 128-bit zᵢ the signer cannot foresee. It is one multi-scalar multiplication
// whose 256 doublings all signatures share; each signature adds its R's decoding and about
// twenty additions (its zᵢ is short), and each distinct key one full-length term, since the
// zᵢkᵢ of one key sum before they multiply it. ristretto255 is a prime-order group, so there
// is no cofactor to make batch and single verification disagree.
//
// A batch that fails says only that some signature is bad; VerifyBatch then halves it (see
// verifyItems), so one forgery costs a few extra batch checks, not a verification of every
// signature alone, and many cost little more than checking each alone.

// SignedMessage is one signature to check: Sig over Msg by Verifier's key.
type SignedMessage struct {
	Verifier *Verifier
	Msg, Sig []byte
}

// minBatch is the smallest batch checked together; below it single verifications are as
// cheap, as a batch's shared doublings cost about one verification.
const minBatch = 3

// VerifyBatch sets ok[i] to whether batch[i] is a valid signature, as Verifier.Verify would
// say, checking them together. ok must be as long as batch. Safe for concurrent use.
func VerifyBatch(batch []SignedMessage, ok []bool) {
	if len(ok) != len(batch) {
		panic("keys: VerifyBatch: ok and batch differ in length")
	}
	items := make([]batchItem, 0, len(batch))
	for i, m := range batch {
		ok[i] = false
		if m.Verifier == nil {
			continue
		}
		it, valid := parseBatchItem(m)
		if valid {
			it.index = i
			items = append(items, it)
		}
	}
	verifyItems(batch, items, ok)
}

// batchItem is a signature decoded for batch verification.
type batchItem struct {
	index int
	r     r255.Element // R, decoded
	s     r255.Scalar
	k     r255.Scalar // the challenge
}

// parseBatchItem decodes m's signature and computes its challenge; it reports false for a
// signature that cannot be valid (wrong length, no schnorrkel marker, non-canonical s or R).
func parseBatchItem(m SignedMessage) (batchItem, bool) {
	var it batchItem
	sig := m.Sig
	if len(sig) != SignatureSize || sig[63]&0x80 == 0 {
		return it, false
	}
	var sb [32]byte
	copy(sb[:], sig[32:])
	sb[31] &= 0x7f
	if err := it.s.Decode(sb[:]); err != nil {
		return it, false
	}
	if err := it.r.Decode(sig[:32]); err != nil {
		return it, false
	}
	it.k = *challenge(&m.Verifier.pub, m.Msg, sig[:32])
	return it, true
}

// verifyItems sets ok for items, in one batch check when they are many. A batch that fails
// is halved: when one half holds, the other, known to hold a bad signature, is halved in
// turn, without a check of its own; when both halves fail, their signatures are checked
// alone. One bad signature in n costs about log₂ n checks of halves, as before; many, spread
// over the batch (a caller that sends only bad signatures), cost the failed batch and its
// two halves on top of checking each alone, not the whole tree of halves, which cost more
// than twice checking each alone.
func verifyItems(batch []SignedMessage, items []batchItem, ok []bool) {
	verifyHalves(batch, items, ok, batchHolds, false)
}

// verifyHalves is verifyItems with the batch check holds; bad says items are known to hold
// a bad signature (its batch check failed).
func verifyHalves(batch []SignedMessage, items []batchItem, ok []bool, holds func([]SignedMessage, []batchItem) bool, bad bool) {
	if len(items) < minBatch {
		verifyAlone(batch, items, ok)
		return
	}
	if !bad {
		if holds(batch, items) {
			for _, it := range items {
				ok[it.index] = true
			}
			return
		}
	}
	left, right := items[:len(items)/2], items[len(items)/2:]
	leftGood, leftDone := settle(batch, left, ok, holds)
	if leftGood {
		verifyHalves(batch, right, ok, holds, true)
		return
	}
	rightGood, rightDone := settle(batch, right, ok, holds)
	if rightGood {
		if !leftDone {
			verifyHalves(batch, left, ok, holds, true)
		}
		return
	}
	if !leftDone {
		verifyAlone(batch, left, ok)
	}
	if !rightDone {
		verifyAlone(batch, right, ok)
	}
}

// settle checks group: alone when it is too small for a batch (done: its answers are set),
// else as a batch, whose success sets its answers. good reports whether all are valid.
func settle(batch []SignedMessage, group []batchItem, ok []bool, holds func([]SignedMessage, []batchItem) bool) (good, done bool) {
	if len(group) < minBatch {
		verifyAlone(batch, group, ok)
		good = true
		for _, it := range group {
			good = good && ok[it.index]
		}
		return good, true
	}
	if holds(batch, group) {
		for _, it := range group {
			ok[it.index] = true
		}
		return true, true
	}
	return false, false
}

// verifyAlone sets ok for items, verifying each alone.
func verifyAlone(batch []SignedMessage, items []batchItem, ok []bool) {
	for _, it := range items {
		m := batch[it.index]
		ok[it.index] = m.Verifier.Verify(m.Msg, m.Sig)
	}
}

// batchHolds reports whether the batch equation holds for items with fresh random weights.
func batchHolds(batch []SignedMessage, items []batchItem) bool {
	weights := make([]byte, 16*len(items))
	if _, err := rand.Read(weights); err != nil {
		return false // crypto/rand does not fail on supported systems; if it did, refuse
	}
	scalars := make([]*r255.Scalar, 0, len(items)+4)
	points := make([]*r255.Element, 0, len(items)+4)
	sumS := r255.NewScalar()
	// keyTerms locate each key's term in scalars/points; batches hold few distinct keys
	// (one per calling validator), so a linear search beats a map.
	type keyTerm struct {
		v   *Verifier
		idx int
	}
	var keyTerms []keyTerm
	var zb [32]byte
	for i := range items {
		it := &items[i]
		copy(zb[:16], weights[16*i:])
		z := r255.NewScalar()
		if err := z.Decode(zb[:]); err != nil {
			return false // 128-bit values are always canonical
		}
		sumS.Add(sumS, r255.NewScalar().Multiply(z, &it.s))
		scalars = append(scalars, z)
		points = append(points, &it.r)
		zk := r255.NewScalar().Multiply(z, &it.k)
		v := batch[it.index].Verifier
		found := false
		for _, kt := range keyTerms {
			if kt.v == v || kt.v.pub == v.pub {
				scalars[kt.idx].Add(scalars[kt.idx], zk)
				found = true
				break
			}
		}
		if !found {
			// The Verifier keeps −A; a negated scalar makes it +A's term.
			keyTerms = append(keyTerms, keyTerm{v: v, idx: len(scalars)})
			scalars = append(scalars, zk)
			points = append(points, v.neg)
		}
	}
	for _, kt := range keyTerms {
		scalars[kt.idx].Negate(scalars[kt.idx])
	}
	scalars = append(scalars, sumS.Negate(sumS))
	points = append(points, r255.NewElement().Base())
	sum := r255.NewElement().VarTimeMultiScalarMult(scalars, points)
	return sum.Equal(r255.NewElement()) == 1
}
