package swap

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"
)

// Property tests over deterministic pseudo-random inputs (math/rand/v2, fixed seeds): the same
// cases run every time, and a failure prints the inputs to turn into a table case.

var testFees = []FeeRate{0, 1, DefaultFeeRate, 3333, MaxFeeRate}

// randPool returns pools of every shape: wild (any two u64), and realistic (reserves between
// 10^6 and 10^18 with prices between 1/1000 and 1000).
func randPool(r *rand.Rand) Pool {
	if r.IntN(3) == 0 {
		return Pool{TAO: randU64(r), Alpha: randU64(r)}
	}
	tao := MinReserve + r.Uint64N(1e18)>>r.IntN(40)
	alpha, _ := mulDiv(tao, 1+r.Uint64N(1e6), 1+r.Uint64N(1e6))
	return Pool{TAO: tao, Alpha: max(alpha, 1)}
}

// randAmount returns an amount scaled to a reserve (a share of it, up to the input cap) or
// any u64.
func randAmount(r *rand.Rand, reserve uint64) uint64 {
	if r.IntN(4) == 0 {
		return randU64(r)
	}
	a := reserve>>r.IntN(50) + r.Uint64N(1000)
	if r.IntN(8) == 0 {
		a, _ = mulDiv(a, 1+r.Uint64N(1000), 1) // may hit the input cap
	}
	return a
}

func bigK(p Pool) *big.Int { return new(big.Int).Mul(bigU(p.TAO), bigU(p.Alpha)) }

// sharePriceNotLower reports whether alpha per share did not fall from a to b:
// b.A/b.S ≥ a.A/a.S (trivially true when either pool has no shares).
func sharePriceNotLower(a, b SharePool) bool {
	as, bs := rawOf(a.TotalShares), rawOf(b.TotalShares)
	if as.Sign() == 0 || bs.Sign() == 0 {
		return true
	}
	l := new(big.Int).Mul(bigU(b.TotalAlpha), as)
	return l.Cmp(new(big.Int).Mul(bigU(a.TotalAlpha), bs)) >= 0
}

func TestPropertySwaps(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	ok := 0
	for i := 0; i < 40000; i++ {
		p := randPool(r)
		fee := testFees[r.IntN(len(testFees))]
		buying := r.IntN(2) == 0
		in := p.TAO
		if !buying {
			in = p.Alpha
		}
		g := randAmount(r, in)
		var s Swap
		var err error
		if buying {
			s, err = buy(p, g, fee)
		} else {
			s, err = sell(p, g, fee)
		}
		if err != nil {
			continue
		}
		ok++
		fail := func(what string) {
			t.Fatalf("%s: pool %v buying %v g %d fee %d → %+v", what, p, buying, g, fee, s)
		}
		// Exactly the model: output floored, fee ceiled, the fee outside the pool.
		out, tao, alpha := refSwap(p, g, fee, buying)
		if s.Out != out.Uint64() || s.After.TAO != tao.Uint64() || s.After.Alpha != alpha.Uint64() {
			fail("differs from the big-integer model")
		}
		if s.In != g || s.Fee != fee.Fee(g) {
			fail("fee")
		}
		// k never decreases, the output side keeps its floor.
		if bigK(s.After).Cmp(bigK(p)) < 0 {
			fail("k decreased")
		}
		if (buying && s.After.Alpha < MinReserve) || (!buying && s.After.TAO < MinReserve) {
			fail("reserve floor")
		}
		// The output never exceeds the spot-free exact value: out·(in+net) ≤ other·net.
		net := g - s.Fee
		if buying {
			if new(big.Int).Mul(bigU(s.Out), bigU(s.After.TAO)).Cmp(new(big.Int).Mul(bigU(p.Alpha), bigU(net))) > 0 {
				fail("output rounded up")
			}
		} else if new(big.Int).Mul(bigU(s.Out), bigU(s.After.Alpha)).Cmp(new(big.Int).Mul(bigU(p.TAO), bigU(net))) > 0 {
			fail("output rounded up")
		}
		// A round trip never returns more than was put in, at any fee.
		var back Swap
		var berr error
		if buying {
			back, berr = sell(s.After, s.Out, fee)
		} else {
			back, berr = buy(s.After, s.Out, fee)
		}
		if berr == nil && back.Out > net {
			fail("round trip returned more than the net input")
		}
		// The quote is the same swap, and impact is in [0, 1).
		var q Quote
		if buying {
			q, err = QuoteBuy(p, g, fee)
		} else {
			q, err = QuoteSell(p, g, fee)
		}
		if err != nil || q.Swap != s || q.Impact.Cmp(oneU64F64()) >= 0 || q.PriceBefore != p.Price() {
			fail("quote")
		}
		// The alpha fee of a sell converts without failing.
		if !buying {
			if _, after, err := FeeToTAO(s.After, s.Fee); err != nil || bigK(after).Cmp(bigK(s.After)) < 0 {
				t.Fatalf("FeeToTAO after sell %+v: %v", s, err)
			}
		}
	}
	if ok < 10000 {
		t.Fatalf("only %d of the random swaps succeeded; the generator is off", ok)
	}
}

func TestPropertyLimits(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	filled, partial := 0, 0
	for i := 0; i < 20000; i++ {
		p := randPool(r)
		fee := testFees[r.IntN(len(testFees))]
		buying := r.IntN(2) == 0
		in := p.TAO
		if !buying {
			in = p.Alpha
		}
		amount := randAmount(r, in)
		// Limits around the current price, and anywhere.
		limit := randU64(r)
		if r.IntN(4) != 0 {
			limit, _ = mulDiv(p.PriceRAO(), 1+r.Uint64N(4000), 1000)
		}
		allow := r.IntN(2) == 0
		var s Swap
		var err error
		if buying {
			s, err = BuyAlphaLimit(p, amount, limit, allow, fee)
		} else {
			s, err = SellAlphaLimit(p, amount, limit, allow, fee)
		}
		fail := func(what string) {
			t.Fatalf("%s: pool %v buying %v amount %d limit %d partial %v fee %d → %+v, %v", what, p, buying, amount, limit, allow, fee, s, err)
		}
		switch {
		case err == nil:
			filled++
			if !refWithin(p, s.In, limit, fee, buying) {
				fail("ended beyond the limit")
			}
			if s.In < amount {
				partial++
				if !allow {
					fail("partial fill without allow_partial")
				}
				if refWithin(p, s.In+1, limit, fee, buying) {
					fail("partial fill is not the largest")
				}
			} else if s.In != amount {
				fail("took more than the amount")
			}
		case errors.Is(err, ErrSlippageTooHigh):
			if allow || refWithin(p, amount, limit, fee, buying) {
				fail("slippage error for an amount within the limit")
			}
		case errors.Is(err, ErrPriceLimitExceeded):
			if refWithin(p, 0, limit, fee, buying) {
				fail("limit reported exceeded but the current price is within it")
			}
		case errors.Is(err, ErrZeroMaxStakeAmount):
			// The smallest input with a non-zero net already crosses.
			g := grossForNet(0, fee) + 1
			if g <= amount && refWithin(p, g, limit, fee, buying) {
				fail("zero max amount but a net input fits")
			}
		}
		// MaxBuy / MaxSell: within, and one more is not (unless at the input cap).
		var m uint64
		if buying {
			m, err = MaxBuy(p, limit, fee)
		} else {
			m, err = MaxSell(p, limit, fee)
		}
		if err == nil {
			if !refWithin(p, m, limit, fee, buying) {
				t.Fatalf("max %d beyond limit: pool %v buying %v limit %d fee %d", m, p, buying, limit, fee)
			}
			if m < maxU64 && refWithin(p, m+1, limit, fee, buying) {
				// Only the input guards may stop it.
				netCap, _ := mulDiv(in, MaxInputMultiple, 1)
				if (m+1)-fee.Fee(m+1) <= netCap && m+1 <= maxU64-in {
					t.Fatalf("max %d is not the largest: pool %v buying %v limit %d fee %d", m, p, buying, limit, fee)
				}
			}
		}
	}
	if filled < 4000 || partial < 400 {
		t.Fatalf("generator is off: %d filled, %d partial", filled, partial)
	}
}

func TestPropertySharePool(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	var done [4]int // successful operations by kind
	for run := 0; run < 300; run++ {
		var p SharePool
		holders := make([]*big.Int, 8) // shares per holder, raw
		for i := range holders {
			holders[i] = new(big.Int)
		}
		for step := 0; step < 200; step++ {
			before := p
			h := r.IntN(len(holders))
			amount := randAmount(r, p.TotalAlpha+1)
			op := r.IntN(4)
			switch op {
			case 0:
				s, err := p.Deposit(amount)
				if err == nil {
					done[op]++
					holders[h].Add(holders[h], rawOf(s))
					if s.IsZero() {
						t.Fatal("deposit bought zero shares without error")
					}
				}
			case 1:
				err := p.Distribute(amount % (1 << r.IntN(64)))
				if err != nil && !errors.Is(err, ErrNoShares) && !errors.Is(err, ErrOverflow) {
					t.Fatal(err)
				}
				if err == nil {
					done[op]++
				}
			case 2:
				held := sharesFromBig(holders[h])
				v := p.ValueOf(held)
				if v == 0 {
					continue
				}
				want := 1 + amount%v
				burned, err := p.WithdrawAlpha(held, want)
				if err != nil {
					t.Fatalf("WithdrawAlpha(%s, %d) of value %d: %v", held, want, v, err)
				}
				if rawOf(burned).Cmp(holders[h]) > 0 {
					t.Fatal("burned more shares than held")
				}
				holders[h].Sub(holders[h], rawOf(burned))
				done[op]++
			case 3:
				held := sharesFromBig(holders[h])
				part := new(big.Int).Rsh(holders[h], uint(r.IntN(3)))
				if part.Sign() == 0 {
					continue
				}
				v := p.ValueOf(held)
				got, err := p.Withdraw(sharesFromBig(part))
				if err != nil {
					t.Fatal(err)
				}
				if got > v {
					t.Fatalf("withdrew %d from a stake worth %d", got, v)
				}
				holders[h].Sub(holders[h], part)
				done[op]++
			}
			// Shares add up; values never exceed the pool; alpha per share never falls.
			sum, value := new(big.Int), new(big.Int)
			for _, s := range holders {
				sum.Add(sum, s)
				value.Add(value, bigU(p.ValueOf(sharesFromBig(s))))
			}
			if sum.Cmp(rawOf(p.TotalShares)) != 0 {
				t.Fatalf("run %d step %d: shares %s ≠ total %s", run, step, sum, p.TotalShares)
			}
			if value.Cmp(bigU(p.TotalAlpha)) > 0 {
				t.Fatalf("run %d step %d: holders worth %s > pool %d", run, step, value, p.TotalAlpha)
			}
			if !sharePriceNotLower(before, p) {
				t.Fatalf("run %d step %d: share price fell %+v → %+v", run, step, before, p)
			}
			if p.TotalAlpha == 0 && !p.TotalShares.IsZero() {
				t.Fatalf("shares without alpha: %+v", p)
			}
		}
	}
	for _, n := range done {
		if n < 3000 {
			t.Fatalf("generator is off: %v successful deposits, distributions, exact and share withdrawals", done)
		}
	}
	t.Logf("successful deposits, distributions, exact and share withdrawals: %v", done)
}

func TestPropertyInject(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	for i := 0; i < 50000; i++ {
		p := randPool(r)
		amount := randAmount(r, p.TAO)
		alpha, after, err := Inject(p, amount)
		if err == nil && amount != 0 {
			// TAO'·Alpha ≥ Alpha'·TAO > TAO'·Alpha − TAO: the price rises by less than one
			// alpha-RAO's worth.
			l := new(big.Int).Mul(bigU(after.TAO), bigU(p.Alpha))
			m := new(big.Int).Mul(bigU(after.Alpha), bigU(p.TAO))
			if l.Cmp(m) < 0 || m.Cmp(l.Sub(l, bigU(p.TAO))) <= 0 || after.TAO != p.TAO+amount || after.Alpha != p.Alpha+alpha {
				t.Fatalf("Inject(%v, %d) = %d, %v", p, amount, alpha, after)
			}
		}
		amount = randAmount(r, p.Alpha)
		tao, after, err := InjectAlpha(p, amount)
		if err == nil && amount != 0 {
			l := new(big.Int).Mul(bigU(after.TAO), bigU(p.Alpha))
			m := new(big.Int).Mul(bigU(after.Alpha), bigU(p.TAO))
			if l.Cmp(m) > 0 || l.Cmp(m.Sub(m, bigU(p.Alpha))) <= 0 || after.Alpha != p.Alpha+amount || after.TAO != p.TAO+tao {
				t.Fatalf("InjectAlpha(%v, %d) = %d, %v", p, amount, tao, after)
			}
		}
	}
}
