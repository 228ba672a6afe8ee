package subnets

import (
	"testing"

	"github.com/gotensor/gotensor/chain/store"
)

func TestDecayFactorIsTheLargestBelowHalf(t *testing.T) {
	for _, hl := range []uint64{1, 2, 100, 360, 36100} {
		q := DecayFactorQ32(hl)
		if q32Pow(q, hl) > q32One/2 {
			t.Fatalf("half-life %d: q^H above 0.5", hl)
		}
		if q < q32One && q32Pow(q+1, hl) <= q32One/2 {
			t.Fatalf("half-life %d: q+1 also satisfies the bound", hl)
		}
	}
	// After a half-life of blocks a price has roughly halved.
	q := DecayFactorQ32(360)
	price := uint64(100_000_000_000)
	for i := 0; i < 360; i++ {
		price = mulQ32(price, q)
	}
	if price > 50_000_000_000 || price < 49_990_000_000 {
		t.Fatalf("after 360 blocks: %d", price)
	}
}

func TestLockCostFormula(t *testing.T) {
	kv := store.NewCache(store.NewMemTree())
	p := DefaultParams()
	SetParams(kv, p)
	if got := LockCost(kv, 10, RAOPerTAO); got != p.NetworkMinLockCost {
		t.Fatalf("first lock %d", got)
	}
	setNetwork(kv, NetworkState{LastLockCost: 3000 * RAOPerTAO, LastRegisteredAt: 100, EverRegistered: true})
	// Doubles, then decays linearly by last/R per block.
	for _, now := range []uint64{100, 1100, 50_000, 300_000} {
		last := uint64(3000 * RAOPerTAO)
		decay := last / p.NetworkLockReductionInterval * (now - 100)
		want := p.NetworkMinLockCost
		if 2*last > decay && 2*last-decay > want {
			want = 2*last - decay
		}
		if got := LockCost(kv, now, RAOPerTAO); got != want {
			t.Fatalf("at %d: %d, want %d", now, got, want)
		}
	}
	// After a halving the interval halves too, so the decay is faster.
	if LockCost(kv, 50_000, RAOPerTAO/2) >= LockCost(kv, 50_000, RAOPerTAO) {
		t.Fatal("halved emission did not speed up the decay")
	}
}

func TestHyperparamsValidate(t *testing.T) {
	if err := DefaultHyperparams().Validate(); err != nil {
		t.Fatal(err)
	}
	if err := LocalnetParams().Validate(); err != nil {
		t.Fatal(err)
	}
	h := DefaultHyperparams()
	h.AlphaLow, h.AlphaHigh = 50000, 40000
	if h.Validate() == nil {
		t.Fatal("alpha_low > alpha_high accepted")
	}
	h = DefaultHyperparams()
	h.BondsMovingAverage = 980_000
	if h.Validate() == nil {
		t.Fatal("bonds_moving_average above 975000 accepted")
	}
}
