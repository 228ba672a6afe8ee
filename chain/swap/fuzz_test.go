package swap

import (
	"math/big"
	"testing"
)

// FuzzSwap drives every pool operation with arbitrary reserves, amounts, fee rates and limits
// (seed corpus in testdata/fuzz/FuzzSwap) and checks that nothing panics and that every
// success keeps the invariants: the exact big-integer model, k never decreasing, the reserve
// floor, limits respected.
func FuzzSwap(f *testing.F) {
	f.Add(uint64(1e12), uint64(1e12), uint64(1e9), uint32(500), uint64(4e9), uint8(0))
	f.Add(uint64(1e12), uint64(1e12), uint64(1e9), uint32(500), uint64(25e7), uint8(1))
	f.Add(uint64(maxU64), uint64(maxU64), uint64(maxU64), uint32(150000), uint64(maxU64), uint8(2))
	f.Add(uint64(1e6), uint64(1e18), uint64(1e9), uint32(0), uint64(0), uint8(3))
	f.Add(uint64(maxU64/2), uint64(3), uint64(maxU64/2), uint32(1), uint64(1), uint8(4))
	f.Fuzz(func(t *testing.T, tao, alpha, amount uint64, feePPM uint32, limit uint64, mode uint8) {
		p := Pool{TAO: tao, Alpha: alpha}
		fee := FeeRate(feePPM)
		buying := mode%2 == 0
		check := func(s Swap) {
			t.Helper()
			out, nt, na := refSwap(p, s.In, fee, buying)
			if s.Out != out.Uint64() || s.After.TAO != nt.Uint64() || s.After.Alpha != na.Uint64() || s.Out == 0 {
				t.Fatalf("%v buying %v: %+v differs from model", p, buying, s)
			}
			if bigK(s.After).Cmp(bigK(p)) < 0 {
				t.Fatalf("%v: k decreased: %+v", p, s)
			}
			if (buying && s.After.Alpha < MinReserve) || (!buying && s.After.TAO < MinReserve) {
				t.Fatalf("%v: reserve floor: %+v", p, s)
			}
		}
		switch mode % 8 {
		case 0, 1: // plain swaps
			var s Swap
			var err error
			if buying {
				s.Out, s.Fee, s.After, err = BuyAlpha(p, amount, fee)
			} else {
				s.Out, s.Fee, s.After, err = SellAlpha(p, amount, fee)
			}
			s.In = amount
			if err == nil {
				check(s)
				if !buying {
					if _, _, err := FeeToTAO(s.After, s.Fee); err != nil {
						t.Fatalf("FeeToTAO after %+v: %v", s, err)
					}
				}
			}
		case 2, 3: // limit swaps; allow_partial from the amount's parity
			allow := amount%2 == 0
			var s Swap
			var err error
			if buying {
				s, err = BuyAlphaLimit(p, amount, limit, allow, fee)
			} else {
				s, err = SellAlphaLimit(p, amount, limit, allow, fee)
			}
			if err == nil {
				check(s)
				if s.In > amount || (!allow && s.In != amount) || !refWithin(p, s.In, limit, fee, buying) {
					t.Fatalf("%v limit %d: %+v", p, limit, s)
				}
			}
		case 4, 5: // max amounts
			var m uint64
			var err error
			if buying {
				m, err = MaxBuy(p, limit, fee)
			} else {
				m, err = MaxSell(p, limit, fee)
			}
			if err == nil && (m == 0 || !refWithin(p, m, limit, fee, buying)) {
				t.Fatalf("%v limit %d: max %d", p, limit, m)
			}
		case 6, 7: // injection, quotes, prices
			if a, after, err := Inject(p, amount); err == nil && amount != 0 {
				l := new(big.Int).Mul(bigU(after.TAO), bigU(p.Alpha))
				if l.Cmp(new(big.Int).Mul(bigU(after.Alpha), bigU(p.TAO))) < 0 || after.Alpha != p.Alpha+a {
					t.Fatalf("Inject(%v, %d) = %d, %v", p, amount, a, after)
				}
			}
			if q, err := QuoteBuy(p, amount, fee); err == nil && q.Impact.Cmp(oneU64F64()) >= 0 {
				t.Fatalf("QuoteBuy(%v, %d): impact %s", p, amount, q.Impact)
			}
			_ = p.TAOValue(amount)
			_ = p.PriceRAO()
		}
	})
}
