package swap

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// randU64 draws across magnitudes: a random bit length, then random bits, with the edges
// 0, 1 and 2^64−1 mixed in.
func randU64(r *rand.Rand) uint64 {
	switch r.IntN(16) {
	case 0:
		return 0
	case 1:
		return 1
	case 2:
		return maxU64
	case 3:
		return maxU64 - r.Uint64N(1000)
	}
	n := r.IntN(64) + 1
	return r.Uint64() >> (64 - n)
}

func bigU(v uint64) *big.Int { return new(big.Int).SetUint64(v) }

func big128(a u128) *big.Int {
	x := bigU(a.hi)
	return x.Lsh(x, 64).Or(x, bigU(a.lo))
}

var (
	two64  = new(big.Int).Lsh(big.NewInt(1), 64)
	two128 = new(big.Int).Lsh(big.NewInt(1), 128)
)

func TestMulDivAgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		a, b, d := randU64(r), randU64(r), randU64(r)
		var want, rem big.Int
		if d != 0 {
			want.QuoRem(new(big.Int).Mul(bigU(a), bigU(b)), bigU(d), &rem)
		}
		fits := d != 0 && want.Cmp(two64) < 0
		q, ok := mulDiv(a, b, d)
		if ok != fits || (ok && q != want.Uint64()) {
			t.Fatalf("mulDiv(%d, %d, %d) = %d, %v; want %s, %v", a, b, d, q, ok, &want, fits)
		}
		c := new(big.Int).Set(&want)
		if rem.Sign() != 0 {
			c.Add(c, big.NewInt(1))
		}
		cfits := d != 0 && c.Cmp(two64) < 0
		qc, ok := mulDivCeil(a, b, d)
		if ok != cfits || (ok && qc != c.Uint64()) {
			t.Fatalf("mulDivCeil(%d, %d, %d) = %d, %v; want %s, %v", a, b, d, qc, ok, c, cfits)
		}
	}
}

func TestMulDiv128AgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200000; i++ {
		a := u128{randU64(r), randU64(r)}
		b, d := randU64(r), randU64(r)
		var want, rem big.Int
		if d != 0 {
			want.QuoRem(new(big.Int).Mul(big128(a), bigU(b)), bigU(d), &rem)
		}
		fits := d != 0 && want.Cmp(two128) < 0
		q, rr, ok := mulDiv128(a, b, d)
		if ok != fits || (ok && (big128(q).Cmp(&want) != 0 || rr != rem.Uint64())) {
			t.Fatalf("mulDiv128(%v, %d, %d) = %v r %d, %v; want %s r %s, %v", a, b, d, q, rr, ok, &want, &rem, fits)
		}
	}
}

func TestMulDivTo64AgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	check := func(a u128, b uint64, d u128) {
		t.Helper()
		var want big.Int
		bd := big128(d)
		if bd.Sign() != 0 {
			want.Quo(new(big.Int).Mul(big128(a), bigU(b)), bd)
		}
		fits := bd.Sign() != 0 && want.Cmp(two64) < 0
		q, ok := mulDivTo64(a, b, d)
		if ok != fits || (ok && q != want.Uint64()) {
			t.Fatalf("mulDivTo64(%v, %d, %v) = %d, %v; want %s, %v", a, b, d, q, ok, &want, fits)
		}
	}
	for i := 0; i < 100000; i++ {
		a := u128{randU64(r), randU64(r)}
		d := u128{randU64(r), randU64(r)}
		b := randU64(r)
		check(a, b, d)
		// Cases where the quotient fits: a ≤ d, as in share payouts.
		if a.cmp(d) > 0 {
			a, d = d, a
		}
		check(a, b, d)
		// Divisors whose top word has its top bit set, or just one bit (s = 0 and s = 63),
		// and quotient estimates that need the corrections.
		check(a, b, u128{1<<63 | d.hi, d.lo})
		check(u128{a.hi >> 1, a.lo}, b, u128{1, d.lo})
		check(u128{d.hi, d.lo - min(d.lo, 1)}, b, d)
	}
	check(u128{maxU64, maxU64}, maxU64, u128{maxU64, maxU64})
	check(u128{maxU64, maxU64 - 1}, maxU64, u128{maxU64, maxU64})
	check(u128{1 << 63, 0}, 2, u128{1 << 63, 1})
	check(u128{1, 0}, maxU64, u128{1, 0})
	check(u128{1, 0}, maxU64, u128{1, 1})
}

func TestU128AddSubCmp(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 100000; i++ {
		a := u128{randU64(r), randU64(r)}
		b := u128{randU64(r), randU64(r)}
		ba, bb := big128(a), big128(b)
		if a.cmp(b) != ba.Cmp(bb) {
			t.Fatalf("cmp(%v, %v)", a, b)
		}
		s, over := a.add(b)
		sum := new(big.Int).Add(ba, bb)
		if over != (sum.Cmp(two128) >= 0) || big128(s).Cmp(sum.Mod(sum, two128)) != 0 {
			t.Fatalf("add(%v, %v) = %v, %v", a, b, s, over)
		}
		d, borrow := a.sub(b)
		diff := new(big.Int).Sub(ba, bb)
		if borrow != (diff.Sign() < 0) || big128(d).Cmp(diff.Mod(diff, two128)) != 0 {
			t.Fatalf("sub(%v, %v) = %v, %v", a, b, d, borrow)
		}
	}
}
