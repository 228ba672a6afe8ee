package app

import (
	"testing"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/coinbase"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/fixed"
	"github.com/gotensor/gotensor/chain/pools"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

// Root dividends are paid to a validator's root stakers pro rata (CHAIN-SPEC
// "Root network"; coinbase.payDividend), every one of them: payDividend once
// listed only the first 1024 (in coldkey order) and split the whole root
// dividend among those, so the 1025th got nothing.
func TestRootDividendsReachEveryRootStaker(t *testing.T) {
	h := rootSellHarness(t)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	val := keyN(1000)
	h.ok(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 100_000 * balances.RAOPerTAO})
	h.ok(bob, &txpb.BurnedRegister{Netuid: 1, Hotkey: val.SS58()})
	h.okc(bob, &txpb.AddStake{Hotkey: val.SS58(), Netuid: 1, Amount: 100 * balances.RAOPerTAO})

	const n = 1025
	stakers := make([]*keys.Keypair, n)
	var fund, stake [][]byte
	nonce := h.nonce(alice)
	for i := range stakers {
		stakers[i] = keyN(100_000 + i)
		fund = append(fund, h.sign(alice, nonce+uint64(i), call(&txpb.SudoSetBalance{Who: stakers[i].SS58(), Free: 10 * balances.RAOPerTAO})))
		stake = append(stake, h.sign(stakers[i], 0, stakeCall(&txpb.AddStake{Hotkey: val.SS58(), Netuid: 0, Amount: balances.RAOPerTAO})))
	}
	for _, txs := range [][][]byte{fund, stake} {
		for i, r := range h.block(txs...) {
			if r.Code != 0 {
				t.Fatalf("tx %d: %s", i, r.Log)
			}
		}
	}
	if got := len(staking.Nominators(h.app.tree, val.Public(), 0, 2*n)); got != n {
		t.Fatalf("%d root stakers on the validator, want %d", got, n)
	}
	// Two epochs: the first hands out permits, the second pays dividends
	// with the root stake in place.
	for k := 0; k < 2; k++ {
		start := epoch.GetSchedule(h.app.tree, 1).EpochIndex
		for epoch.GetSchedule(h.app.tree, 1).EpochIndex == start {
			h.block()
		}
	}
	// Equal root stakes earn equal root dividends (±1 RAO of rounding), and
	// every one earns some.
	var lo, hi uint64 = ^uint64(0), 0
	var zero int
	for _, s := range stakers {
		got := staking.Stake(h.app.tree, val.Public(), 1, s.Public())
		if got == 0 {
			zero++
		}
		lo, hi = min(lo, got), max(hi, got)
	}
	if hi == 0 {
		t.Fatal("no root dividends were paid at all")
	}
	if zero > 0 || hi-lo > 1 {
		t.Fatalf("root stakers with equal root stake got alpha from %d to %d on subnet 1; %d of %d got nothing", lo, hi, zero, n)
	}
}

// rootSellHarness is stakingHarness with two subnets whose EMA prices are
// both 1.0: root stakers are paid alpha only while the emitting subnets' EMA
// prices sum to more than 1 (§11.4's root-sell flag); one subnet's, capped
// at 1, never does.
func rootSellHarness(t *testing.T) *harness {
	h := stakingHarness(t, 2)
	for _, n := range []uint16{1, 2} {
		p := pools.Get(h.app.tree, n)
		p.MovingPrice = pools.PriceOf(fixed.U64F64One)
		pools.Put(h.app.tree, n, p)
	}
	return h
}

// Below the root-sell threshold the root share of alpha is recycled: no
// root staker is paid, the validator's subnet stakers get no more than
// without it, and the emission events say how much was recycled.
func TestRootAlphaRecycledBelowRootSell(t *testing.T) {
	h := stakingHarness(t, 1) // one subnet: its EMA price (≤ 1) never sums above 1
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	val, staker := keyN(1000), keyN(2000)
	h.ok(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 100_000 * balances.RAOPerTAO})
	h.ok(alice, &txpb.SudoSetBalance{Who: staker.SS58(), Free: 100 * balances.RAOPerTAO})
	h.ok(bob, &txpb.BurnedRegister{Netuid: 1, Hotkey: val.SS58()})
	h.okc(bob, &txpb.AddStake{Hotkey: val.SS58(), Netuid: 1, Amount: 100 * balances.RAOPerTAO})
	h.okc(staker, &txpb.AddStake{Hotkey: val.SS58(), Netuid: 0, Amount: 50 * balances.RAOPerTAO})
	for k := 0; k < 2; k++ {
		start := epoch.GetSchedule(h.app.tree, 1).EpochIndex
		for epoch.GetSchedule(h.app.tree, 1).EpochIndex == start {
			h.block()
		}
	}
	if got := staking.Stake(h.app.tree, val.Public(), 1, staker.Public()); got != 0 {
		t.Fatalf("root staker got %d alpha on subnet 1 below the root-sell threshold", got)
	}
	if p := coinbase.GetPending(h.app.tree, 1); p.Root != 0 {
		t.Fatalf("pending root alpha %d below the root-sell threshold", p.Root)
	}
}
