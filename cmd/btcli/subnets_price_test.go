package main

import (
	"errors"
	"math/big"
	"strconv"
	"testing"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/registration"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
)

// lockCost restates reference §3.1: lock = max(min, last·mult − (last/R)·(now − last_block))
// with mult 1 before the first registration and 2 after, integer division, saturating at 0.
func lockCost(minLock, last, lastBlock, now, r uint64, ever bool) uint64 {
	mult := uint64(2)
	if !ever {
		mult = 1
	}
	decay := (last / r) * (now - lastBlock)
	lock := uint64(0)
	if last*mult > decay {
		lock = last*mult - decay
	}
	return max(lock, minLock)
}

// decayFactorQ32 restates reference §4.1: the largest q in Q32 with q^half_life ≤ 0.5,
// each product floored, found by binary search (math/big here, bits in the chain).
func decayFactorQ32(halfLife uint64) uint64 {
	one := new(big.Int).Lsh(big.NewInt(1), 32)
	pow := func(q uint64) *big.Int {
		r, x := new(big.Int).Set(one), new(big.Int).SetUint64(q)
		for n := halfLife; n > 0; n >>= 1 {
			if n&1 == 1 {
				r.Mul(r, x).Rsh(r, 32)
			}
			x.Mul(x, x).Rsh(x, 32)
		}
		return r
	}
	half := new(big.Int).Rsh(one, 1)
	lo, hi := uint64(0), uint64(1)<<32
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if pow(mid).Cmp(half) <= 0 {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

func params(t *testing.T, c *chainCLI, netuid string) map[string]uint64 {
	t.Helper()
	out := map[string]uint64{}
	var ps []api.Hyperparameter
	if netuid == "" {
		var gp networkParamsResult
		c.ok(&gp, c.as("alice", "sudo", "get")...)
		ps = gp.Parameters
	} else {
		var hp hyperparamsResult
		c.ok(&hp, c.as("alice", "sudo", "get", "--netuid", netuid)...)
		ps = hp.Hyperparameters
	}
	for _, p := range ps {
		out[p.Name] = p.Value
	}
	return out
}

// TestLockCostAndBurnDecay checks subnet lock costs across consecutive register_network
// calls (reference §3.1) and a subnet's registration price block by block (§4.1), both
// read through the CLI and the client against a real node.
func TestLockCostAndBurnDecay(t *testing.T) {
	c := startChainCLI(t)
	c.wallet("alice", "//Alice", "//AliceHot") // sudo
	c.wallet("charlie", "//Charlie", "//CharlieHot")
	cl := c.dial()

	gp := params(t, c, "")
	minLock, interval := gp["network_min_lock_cost"], gp["lock_reduction_interval"]
	if minLock != 100*tao || interval != 1000 || gp["network_rate_limit"] != 1 {
		t.Fatalf("localnet parameters: %v", gp)
	}
	var last, lastBlock uint64
	ever := false
	create := func() createResult {
		t.Helper()
		var lc lockCostResult
		c.ok(&lc, c.as("charlie", "subnets", "lock-cost")...)
		// R = interval × block emission / 1 TAO, and the block emission is 1 TAO.
		if want := lockCost(minLock, last, lastBlock, uint64(lc.ForBlock), interval, ever); lc.LockCost != want {
			t.Fatalf("lock-cost for block %d: %s, want %s (last %s at block %d)", lc.ForBlock, formatTAO(lc.LockCost), formatTAO(want), formatTAO(last), lastBlock)
		}
		var cr createResult
		c.ok(&cr, c.as("charlie", "subnets", "create")...)
		if want := lockCost(minLock, last, lastBlock, uint64(cr.Block), interval, ever); cr.Lock != want {
			t.Fatalf("subnet %d created in block %d locked %s, want %s (last %s at block %d)", cr.Netuid, cr.Block, formatTAO(cr.Lock), formatTAO(want), formatTAO(last), lastBlock)
		}
		t.Logf("subnet %d: block %d, lock %s", cr.Netuid, cr.Block, formatTAO(cr.Lock))
		last, lastBlock, ever = cr.Lock, uint64(cr.Block), true
		return cr
	}
	first := create()
	if first.Lock != minLock {
		t.Fatalf("first lock %s, want the minimum", formatTAO(first.Lock))
	}
	create() // about double: consecutive blocks
	if err := c.n.WaitHeight(t.Context(), int64(lastBlock)+5); err != nil {
		t.Fatal(err)
	}
	create() // double minus 5+ blocks of decay
	// A short reduction interval decays the lock to the floor within a few blocks.
	var set sudoSetResult
	c.ok(&set, c.as("alice", "sudo", "set", "--param", "lock_reduction_interval", "--value", "4")...)
	interval = 4
	if err := c.n.WaitHeight(t.Context(), int64(lastBlock)+8); err != nil {
		t.Fatal(err)
	}
	if cr := create(); cr.Lock != minLock {
		t.Fatalf("lock after decay %s, want the minimum %s", formatTAO(cr.Lock), formatTAO(minLock))
	}

	// Burn: decay by the half-life factor every block, ×burn_increase_mult per
	// registration, clamped to [min_burn, max_burn].
	netuid := strconv.Itoa(int(first.Netuid))
	for _, kv := range [][2]string{{"min_burn", "100000000"}, {"max_burn", "200000000"}, {"burn_half_life", "3"}, {"max_registrations_per_block", "8"}} {
		c.ok(&set, c.as("alice", "sudo", "set", "--netuid", netuid, "--param", kv[0], "--value", kv[1])...)
	}
	hp := params(t, c, netuid)
	minBurn, maxBurn, mult := hp["min_burn"], hp["max_burn"], hp["burn_increase_mult"]
	factor := decayFactorQ32(hp["burn_half_life"])
	if chain := subnets.DecayFactorQ32(hp["burn_half_life"]); factor != chain {
		t.Fatalf("decay factor for half-life %d: %d, chain %d", hp["burn_half_life"], factor, chain)
	}
	st, err := cl.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	from := st.Height // no parameter changes from here on

	// Six registrations sent together (one or two blocks) take the price from at least
	// min_burn past max_burn: ×1.26^6 ≈ 4.
	dave, err := keys.FromURI("//Dave")
	if err != nil {
		t.Fatal(err)
	}
	regs := map[int64]int{}
	for _, reg := range registerMany(t, cl, dave, first.Netuid, devHotkeys(t, "burn", 6)) {
		regs[reg.r.Height]++
	}
	var bc burnCostResult
	c.ok(&bc, c.as("charlie", "subnets", "burn-cost", "--netuid", netuid)...)
	// Long enough to decay from max_burn to min_burn: 0.2 → 0.1 TAO is one half-life.
	to := bc.Block + 8
	// One block more: the node reports a height a moment before the state at it can be read.
	if err := c.n.WaitHeight(t.Context(), to+1); err != nil {
		t.Fatal(err)
	}
	burnAt := func(h int64) uint64 {
		var s api.Subnet
		if err := cl.Query(t.Context(), api.PathSubnet+netuid, h, &s); err != nil {
			t.Fatalf("subnet %s at block %d: %v", netuid, h, err)
		}
		return s.Burn
	}
	clamp := func(v uint64) uint64 { return min(max(v, minBurn), maxBurn) }
	mulDiv := func(a, b, c uint64) uint64 {
		return new(big.Int).Div(new(big.Int).Mul(new(big.Int).SetUint64(a), new(big.Int).SetUint64(b)), new(big.Int).SetUint64(c)).Uint64()
	}
	prev := burnAt(from)
	sawMax, sawMin := false, false
	for h := from + 1; h <= to; h++ {
		want := clamp(mulDiv(prev, factor, 1<<32)) // (burn·factor) >> 32
		for range regs[h] {
			want = clamp(mulDiv(want, mult, 1_000_000))
		}
		got := burnAt(h)
		if got != want {
			t.Fatalf("burn at block %d (%d registrations): %d, want %d (previous %d)", h, regs[h], got, want, prev)
		}
		if h == bc.Block && bc.Burn != got {
			t.Fatalf("burn-cost at block %d: %d, chain %d", h, bc.Burn, got)
		}
		sawMax = sawMax || got == maxBurn
		sawMin = sawMin || got == minBurn
		prev = got
	}
	t.Logf("burn from block %d to %d checked; registrations by block %v", from, to, regs)
	if !sawMax || !sawMin {
		t.Errorf("the price never reached max_burn (%t) or min_burn (%t)", sawMax, sawMin)
	}

	// A price limit below the price fails on chain before it is paid.
	hk := ss58(t, "//burn/limit")
	_, err = cl.Submit(t.Context(), dave, client.RegisterLimit(first.Netuid, hk, minBurn-1), client.SubmitOptions{Wait: client.WaitFinal})
	if !errors.Is(err, registration.ErrRegistrationPriceLimitExceeded) {
		t.Errorf("register_limit below the price: %v", err)
	}
}
