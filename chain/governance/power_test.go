package governance

import (
	"math/rand/v2"
	"testing"

	"github.com/gotensor/gotensor/chain/pools"
	"github.com/gotensor/gotensor/chain/swap"
)

// TestAlphaTAOValueCannotBeInflated: on random pools and holders, the
// holders' alpha together counts for no more than the pool's TAO, and
// buying alpha for X TAO (what a holder does to pump a thin pool's price)
// raises everyone's counted value together by at most X, so the buyer never
// gains power by buying.
func TestAlphaTAOValueCannotBeInflated(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for i := range 2000 {
		p := pools.Pool{TAO: 1e9 + rng.Uint64N(1e15), AlphaIn: 1e9 + rng.Uint64N(1e15)}
		holders := make([]uint64, 1+rng.IntN(5))
		for j := range holders {
			holders[j] = rng.Uint64N(1e15)
			p.AlphaOut += holders[j]
		}
		total := func(p pools.Pool, hs []uint64) (sum uint64) {
			for _, a := range hs {
				sum += AlphaTAOValue(p, a)
			}
			return sum
		}
		before := total(p, holders)
		if before > p.TAO {
			t.Fatalf("case %d: holders count for %d TAO, the pool has %d", i, before, p.TAO)
		}
		// Holder 0 buys alpha for x TAO.
		x := 1 + rng.Uint64N(p.TAO*4)
		out, _, after, err := swap.BuyAlpha(swap.Pool{TAO: p.TAO, Alpha: p.AlphaIn}, x, 0)
		if err != nil {
			continue // a buy the pool refuses changes nothing
		}
		q := pools.Pool{TAO: after.TAO, AlphaIn: after.Alpha, AlphaOut: p.AlphaOut + out}
		bought := append([]uint64{holders[0] + out}, holders[1:]...)
		// Each holder's value is floored: the sum may gain one RAO per holder.
		if got := total(q, bought); got > before+x+uint64(len(holders)) {
			t.Fatalf("case %d: buying for %d raised counted value from %d to %d", i, x, before, got)
		}
		if mine, was := AlphaTAOValue(q, bought[0]), AlphaTAOValue(p, holders[0]); mine > was+x+1 {
			t.Fatalf("case %d: the buyer's alpha counts %d after paying %d, %d before", i, mine, x, was)
		}
	}
}

func TestAlphaTAOValueEdges(t *testing.T) {
	for _, c := range []struct {
		p     pools.Pool
		alpha uint64
		want  uint64
	}{
		{pools.Pool{TAO: 100, AlphaIn: 50, AlphaOut: 50}, 50, 50}, // half of all alpha: half the TAO
		{pools.Pool{TAO: 100, AlphaIn: 0, AlphaOut: 0}, 10, 100},  // inconsistent pool: capped at its TAO
		{pools.Pool{TAO: 0, AlphaIn: 10, AlphaOut: 10}, 10, 0},
		{pools.Pool{TAO: 1e18, AlphaIn: ^uint64(0) - 5, AlphaOut: 10}, 10, 0},
		{pools.Pool{TAO: 1e18, AlphaIn: ^uint64(0) / 2, AlphaOut: ^uint64(0) / 2}, ^uint64(0) / 2, 5e17},
		{pools.Pool{TAO: 1e18, AlphaIn: ^uint64(0), AlphaOut: ^uint64(0)}, ^uint64(0), 5e17}, // the sum overflows
	} {
		if got := AlphaTAOValue(c.p, c.alpha); got != c.want {
			t.Errorf("%+v, alpha %d: %d, want %d", c.p, c.alpha, got, c.want)
		}
	}
}
