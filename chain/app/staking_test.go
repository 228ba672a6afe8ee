package app

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/fixed"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/pools"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/swap"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

func stakeCall(c any) *txpb.Call {
	switch v := c.(type) {
	case *txpb.AddStake:
		return &txpb.Call{Call: &txpb.Call_AddStake{AddStake: v}}
	case *txpb.AddStakeLimit:
		return &txpb.Call{Call: &txpb.Call_AddStakeLimit{AddStakeLimit: v}}
	case *txpb.RemoveStake:
		return &txpb.Call{Call: &txpb.Call_RemoveStake{RemoveStake: v}}
	case *txpb.RemoveStakeLimit:
		return &txpb.Call{Call: &txpb.Call_RemoveStakeLimit{RemoveStakeLimit: v}}
	case *txpb.RemoveStakeFullLimit:
		return &txpb.Call{Call: &txpb.Call_RemoveStakeFullLimit{RemoveStakeFullLimit: v}}
	case *txpb.UnstakeAll:
		return &txpb.Call{Call: &txpb.Call_UnstakeAll{UnstakeAll: v}}
	case *txpb.UnstakeAllAlpha:
		return &txpb.Call{Call: &txpb.Call_UnstakeAllAlpha{UnstakeAllAlpha: v}}
	case *txpb.MoveStake:
		return &txpb.Call{Call: &txpb.Call_MoveStake{MoveStake: v}}
	case *txpb.TransferStake:
		return &txpb.Call{Call: &txpb.Call_TransferStake{TransferStake: v}}
	case *txpb.SwapStake:
		return &txpb.Call{Call: &txpb.Call_SwapStake{SwapStake: v}}
	case *txpb.SwapStakeLimit:
		return &txpb.Call{Call: &txpb.Call_SwapStakeLimit{SwapStakeLimit: v}}
	case *txpb.IncreaseTake:
		return &txpb.Call{Call: &txpb.Call_IncreaseTake{IncreaseTake: v}}
	case *txpb.DecreaseTake:
		return &txpb.Call{Call: &txpb.Call_DecreaseTake{DecreaseTake: v}}
	case *txpb.RootRegister:
		return &txpb.Call{Call: &txpb.Call_RootRegister{RootRegister: v}}
	}
	return call(c)
}

// stakingHarness: Alice owns started subnets 1..n, each with hotkey keyN(netuid*100).
func stakingHarness(t testing.TB, n int) *harness {
	h := newHarness(t)
	alice := dev(t, "Alice")
	h.okc(alice, &txpb.SudoSetBalance{Who: alice.SS58(), Free: 5_000_000 * balances.RAOPerTAO})
	for i := 1; i <= n; i++ {
		h.okc(alice, &txpb.RegisterNetwork{Hotkey: keyN(i * 100).SS58()})
		h.okc(alice, &txpb.StartCall{Netuid: uint32(i)})
	}
	return h
}

func (h *harness) runc(kp *keys.Keypair, c any) *abciResult {
	h.t.Helper()
	r := h.block(h.sign(kp, h.nonce(kp), stakeCall(c)))[0]
	return &abciResult{r.Code, r.Codespace, r.Log}
}

type abciResult struct {
	code      uint32
	codespace string
	log       string
}

func (h *harness) okc(kp *keys.Keypair, c any) {
	h.t.Helper()
	if r := h.runc(kp, c); r.code != 0 {
		h.t.Fatalf("%T: %s", c, r.log)
	}
}

func (h *harness) failsc(kp *keys.Keypair, c any, want *errs.Error) string {
	h.t.Helper()
	r := h.runc(kp, c)
	if r.code == 0 {
		h.t.Fatalf("%T succeeded, want %s", c, want.Name)
	}
	if got, _ := errs.Lookup(r.codespace, r.code); got != want {
		h.t.Fatalf("%T: %s/%d %q, want %s", c, r.codespace, r.code, r.log, want.Name)
	}
	return r.log
}

func TestAddAndRemoveStake(t *testing.T) {
	h := stakingHarness(t, 1)
	bob := dev(t, "Bob")
	hk := keyN(100).SS58()
	h.okc(dev(t, "Alice"), &txpb.SudoSetBalance{Who: bob.SS58(), Free: 1000 * balances.RAOPerTAO})
	before := pools.Get(h.app.tree, 1)
	q, err := swap.QuoteBuy(swap.Pool{TAO: before.TAO, Alpha: before.AlphaIn}, 10*balances.RAOPerTAO, swap.DefaultFeeRate)
	if err != nil {
		t.Fatal(err)
	}
	ferdie := h.free(dev(t, "Ferdie"))
	h.okc(bob, &txpb.AddStake{Hotkey: hk, Netuid: 1, Amount: 10 * balances.RAOPerTAO})
	// The block's emission moves the pool a little before the stake lands,
	// so the quote holds within a fraction of a percent.
	got := staking.Stake(h.app.tree, keyN(100).Public(), 1, bob.Public())
	if got < q.Out*995/1000 || got > q.Out*1005/1000 {
		t.Fatalf("stake %d, quote said %d", got, q.Out)
	}
	after := pools.Get(h.app.tree, 1)
	if after.AlphaOut < got {
		t.Fatalf("pool %+v -> %+v: alpha out below the stake", before, after)
	}
	if got := h.free(dev(t, "Ferdie")) - ferdie; got < q.Fee {
		t.Fatalf("author got %d, swap fee %d", got, q.Fee)
	}
	checkSupply(t, h)
	// Remove half, then everything.
	half := q.Out / 2
	h.okc(bob, &txpb.RemoveStake{Hotkey: hk, Netuid: 1, Amount: half})
	h.failsc(bob, &txpb.RemoveStake{Hotkey: hk, Netuid: 1, Amount: q.Out}, staking.ErrNotEnoughStakeToWithdraw)
	h.okc(bob, &txpb.RemoveStakeFullLimit{Hotkey: hk, Netuid: 1})
	if s := staking.Stake(h.app.tree, keyN(100).Public(), 1, bob.Public()); s != 0 {
		t.Fatalf("stake left %d", s)
	}
	if !staking.Shares(h.app.tree, keyN(100).Public(), 1, bob.Public()).IsZero() || len(staking.PositionsOf(h.app.tree, bob.Public(), 10)) != 0 {
		t.Fatal("a full unstake left dust shares behind")
	}
	// (A round trip may return more than was staked here: the hotkey earns
	// emission meanwhile. The pool-only property is tested in chain/swap.)
	checkSupply(t, h)
	checkAlpha(t, h, 1, []*keys.Keypair{keyN(100)})
}

func TestStakeErrors(t *testing.T) {
	h := stakingHarness(t, 2)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	hk := keyN(100).SS58()
	h.okc(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 100 * balances.RAOPerTAO})
	h.okc(alice, &txpb.RegisterNetwork{Hotkey: keyN(300).SS58()}) // netuid 3, not started
	cases := []struct {
		c    any
		want *errs.Error
	}{
		{&txpb.AddStake{Hotkey: hk, Netuid: 1, Amount: 1_000_000}, staking.ErrAmountTooLow},
		{&txpb.AddStake{Hotkey: hk, Netuid: 1, Amount: 101 * balances.RAOPerTAO}, staking.ErrNotEnoughBalanceToStake},
		{&txpb.AddStake{Hotkey: hk, Netuid: 1, Amount: ^uint64(0)}, staking.ErrNotEnoughBalanceToStake},
		{&txpb.AddStake{Hotkey: keyN(999).SS58(), Netuid: 1, Amount: balances.RAOPerTAO}, staking.ErrHotKeyAccountNotExists},
		{&txpb.AddStake{Hotkey: "nonsense", Netuid: 1, Amount: balances.RAOPerTAO}, staking.ErrInvalidHotkey},
		{&txpb.AddStake{Hotkey: hk, Netuid: 9, Amount: balances.RAOPerTAO}, subnets.ErrSubnetNotExists},
		{&txpb.AddStake{Hotkey: keyN(300).SS58(), Netuid: 3, Amount: balances.RAOPerTAO}, staking.ErrSubtokenDisabled},
		{&txpb.AddStakeLimit{Hotkey: hk, Netuid: 1, Amount: balances.RAOPerTAO, LimitPrice: 1}, swap.ErrPriceLimitExceeded},
		{&txpb.AddStakeLimit{Hotkey: hk, Netuid: 1, Amount: 50 * balances.RAOPerTAO, LimitPrice: 1_010_000_000}, swap.ErrSlippageTooHigh},
		{&txpb.RemoveStake{Hotkey: hk, Netuid: 1, Amount: 1}, staking.ErrNotEnoughStakeToWithdraw},
		{&txpb.RemoveStake{Hotkey: hk, Netuid: 1, Amount: 0}, staking.ErrAmountTooLow},
		{&txpb.SwapStake{Hotkey: hk, OriginNetuid: 1, DestinationNetuid: 1, AlphaAmount: 5}, staking.ErrSameNetuid},
		{&txpb.MoveStake{OriginHotkey: hk, DestinationHotkey: hk, OriginNetuid: 1, DestinationNetuid: 1, AlphaAmount: 5}, staking.ErrSameNetuid},
		{&txpb.TransferStake{DestinationColdkey: bob.SS58(), Hotkey: hk, OriginNetuid: 1, DestinationNetuid: 1, AlphaAmount: 5}, staking.ErrSameNetuid},
		// Amounts and limits near 2^64 are refused, never wrapped.
		{&txpb.AddStakeLimit{Hotkey: hk, Netuid: 1, Amount: ^uint64(0), LimitPrice: ^uint64(0), AllowPartial: true}, staking.ErrNotEnoughBalanceToStake},
		{&txpb.AddStake{Hotkey: hk, Netuid: 0, Amount: ^uint64(0) - 1}, staking.ErrNotEnoughBalanceToStake},
		{&txpb.RemoveStake{Hotkey: hk, Netuid: 1, Amount: ^uint64(0)}, staking.ErrNotEnoughStakeToWithdraw},
		{&txpb.RemoveStakeLimit{Hotkey: hk, Netuid: 0, Amount: ^uint64(0), LimitPrice: ^uint64(0), AllowPartial: true}, staking.ErrNotEnoughStakeToWithdraw},
		{&txpb.SwapStakeLimit{Hotkey: hk, OriginNetuid: 1, DestinationNetuid: 2, AlphaAmount: ^uint64(0), LimitPrice: ^uint64(0)}, staking.ErrNotEnoughStakeToWithdraw},
		{&txpb.TransferStake{DestinationColdkey: alice.SS58(), Hotkey: hk, OriginNetuid: 1, DestinationNetuid: 2, AlphaAmount: ^uint64(0)}, staking.ErrNotEnoughStakeToWithdraw},
		{&txpb.IncreaseTake{Hotkey: hk, Take: ^uint32(0)}, staking.ErrNonAssociatedColdKey},
		// Netuids beyond u16 and bad coldkeys are refused before the call runs.
		{&txpb.RemoveStakeLimit{Hotkey: hk, Netuid: 70000, Amount: 1, LimitPrice: 1}, subnets.ErrSubnetNotExists},
		{&txpb.MoveStake{OriginHotkey: hk, DestinationHotkey: hk, OriginNetuid: 1, DestinationNetuid: 70000, AlphaAmount: 5}, subnets.ErrSubnetNotExists},
		{&txpb.SwapStakeLimit{Hotkey: hk, OriginNetuid: 70000, DestinationNetuid: 1, AlphaAmount: 5, LimitPrice: 1}, subnets.ErrSubnetNotExists},
		{&txpb.TransferStake{DestinationColdkey: "nonsense", Hotkey: hk, OriginNetuid: 1, DestinationNetuid: 1, AlphaAmount: 5}, balances.ErrInvalidDestination},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%T", c.c), func(t *testing.T) {
			h.t = t
			free := h.free(bob)
			h.failsc(bob, c.c, c.want)
			fee := free - h.free(bob)
			if fee > balances.RAOPerTAO/1000 {
				t.Fatalf("a failed call took %d RAO, more than its fee", fee)
			}
			if ps := staking.PositionsOf(h.app.tree, bob.Public(), 10); len(ps) != 0 {
				t.Fatalf("a failed call left stake %+v", ps)
			}
		})
	}
	// Partial limit fill stakes what fits below the limit.
	h.t = t
	h.okc(bob, &txpb.AddStakeLimit{Hotkey: hk, Netuid: 1, Amount: 50 * balances.RAOPerTAO, LimitPrice: 1_010_000_000, AllowPartial: true})
	p := pools.Get(h.app.tree, 1)
	if price := (swap.Pool{TAO: p.TAO, Alpha: p.AlphaIn}).PriceRAO(); price > 1_010_000_000 {
		t.Fatalf("partial fill ended at price %d, above the limit", price)
	}
	if h.free(bob) < 40*balances.RAOPerTAO {
		t.Fatal("a partial fill took the whole amount")
	}
	// Transfers off on a subnet.
	h.okc(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "transfer_enabled", Value: 0})
	h.failsc(bob, &txpb.TransferStake{DestinationColdkey: alice.SS58(), Hotkey: hk, OriginNetuid: 1, DestinationNetuid: 1, AlphaAmount: 1000}, staking.ErrTransferDisallowed)
	checkSupply(t, h)
}

func TestMoveTransferSwapStake(t *testing.T) {
	h := stakingHarness(t, 2)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	hk1, hk2 := keyN(100), keyN(200)
	h.okc(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 1000 * balances.RAOPerTAO})
	h.okc(bob, &txpb.AddStake{Hotkey: hk1.SS58(), Netuid: 1, Amount: 100 * balances.RAOPerTAO})
	s := staking.Stake(h.app.tree, hk1.Public(), 1, bob.Public())
	// Same subnet, other hotkey: shares move, no swap, no fee.
	r := h.block(h.sign(bob, h.nonce(bob), stakeCall(&txpb.MoveStake{OriginHotkey: hk1.SS58(), DestinationHotkey: hk2.SS58(), OriginNetuid: 1, DestinationNetuid: 1, AlphaAmount: s / 2})))[0]
	if r.Code != 0 {
		t.Fatal(r.Log)
	}
	for _, ev := range r.Events {
		if ev.Type == staking.EventStakeMoved {
			for _, a := range ev.Attributes {
				if a.Key == "fee" && a.Value != "0" {
					t.Fatalf("a same-subnet move paid a swap fee %s", a.Value)
				}
			}
		}
	}
	if got := staking.Stake(h.app.tree, hk2.Public(), 1, bob.Public()); got != s/2 {
		t.Fatalf("moved %d, want %d", got, s/2)
	}
	// Transfer to Alice's coldkey.
	h.okc(bob, &txpb.TransferStake{DestinationColdkey: alice.SS58(), Hotkey: hk2.SS58(), OriginNetuid: 1, DestinationNetuid: 1, AlphaAmount: s / 4})
	if got := staking.Stake(h.app.tree, hk2.Public(), 1, alice.Public()); got != s/4 {
		t.Fatalf("transferred %d", got)
	}
	// Swap to subnet 2: sells on 1, buys on 2.
	h.okc(bob, &txpb.SwapStake{Hotkey: hk1.SS58(), OriginNetuid: 1, DestinationNetuid: 2, AlphaAmount: staking.Stake(h.app.tree, hk1.Public(), 1, bob.Public())})
	if staking.Stake(h.app.tree, hk1.Public(), 2, bob.Public()) == 0 || staking.Stake(h.app.tree, hk1.Public(), 1, bob.Public()) != 0 {
		t.Fatal("swap did not move the stake")
	}
	// Root: stake TAO 1:1, then unstake_all_alpha moves subnet stake to root.
	h.okc(bob, &txpb.AddStake{Hotkey: hk1.SS58(), Netuid: 0, Amount: 5 * balances.RAOPerTAO})
	if got := staking.Stake(h.app.tree, hk1.Public(), 0, bob.Public()); got != 5*balances.RAOPerTAO {
		t.Fatalf("root stake %d", got)
	}
	h.okc(bob, &txpb.UnstakeAllAlpha{Hotkey: hk1.SS58()})
	if staking.Stake(h.app.tree, hk1.Public(), 2, bob.Public()) != 0 || staking.Stake(h.app.tree, hk1.Public(), 0, bob.Public()) <= 5*balances.RAOPerTAO {
		t.Fatal("unstake_all_alpha did not move alpha into root stake")
	}
	h.okc(bob, &txpb.UnstakeAll{Hotkey: hk1.SS58()})
	if staking.Stake(h.app.tree, hk1.Public(), 0, bob.Public()) != 0 {
		t.Fatal("unstake_all left root stake")
	}
	// Stake weight counts root stake at TaoWeight.
	h.okc(bob, &txpb.AddStake{Hotkey: hk1.SS58(), Netuid: 0, Amount: 100 * balances.RAOPerTAO})
	if w := staking.StakeWeight(h.app.tree, hk1.Public(), 1); w != 18*balances.RAOPerTAO {
		t.Fatalf("stake weight %d, want 0.18 × 100 TAO", w)
	}
	checkSupply(t, h)
	checkAlpha(t, h, 1, []*keys.Keypair{hk1, hk2})
	checkAlpha(t, h, 2, []*keys.Keypair{hk1, hk2})
}

func TestDelegateTakeAndRootRegister(t *testing.T) {
	h := stakingHarness(t, 1)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	hk := keyN(100).SS58()
	if got := staking.GetTake(h.app.tree, keyN(100).Public()).Take; got != 11796 {
		t.Fatalf("default take %d", got)
	}
	h.failsc(alice, &txpb.IncreaseTake{Hotkey: hk, Take: 12000}, staking.ErrDelegateTakeTooHigh)
	h.failsc(alice, &txpb.IncreaseTake{Hotkey: hk, Take: ^uint32(0)}, staking.ErrDelegateTakeTooHigh)
	h.failsc(bob, &txpb.DecreaseTake{Hotkey: hk, Take: 5000}, staking.ErrNonAssociatedColdKey)
	h.okc(alice, &txpb.DecreaseTake{Hotkey: hk, Take: 5000})
	h.failsc(alice, &txpb.DecreaseTake{Hotkey: hk, Take: 6000}, staking.ErrDelegateTakeTooLow)
	log := h.failsc(alice, &txpb.IncreaseTake{Hotkey: hk, Take: 6000}, staking.ErrDelegateTxRateLimit)
	if !contains([]byte(log), "next allowed at block") {
		t.Fatal(log)
	}
	for i := 0; i < 21; i++ {
		h.block()
	}
	h.okc(alice, &txpb.IncreaseTake{Hotkey: hk, Take: 6000})
	// Root registration.
	h.okc(alice, &txpb.RootRegister{Hotkey: hk})
	h.failsc(alice, &txpb.RootRegister{Hotkey: hk}, staking.ErrAlreadyRegistered)
	h.failsc(bob, &txpb.RootRegister{Hotkey: hk}, neuronsErrNonAssociated)
}

// TestRandomStakingKeepsInvariants runs random staking operations across 8
// subnets and checks the issuance and alpha invariants after every block.
// GOTENSOR_STAKING_OPS sets the count (default the 10,000; -short 300).
// Every staking call takes part, with amounts and limits up to 2^64−1.
func TestRandomStakingKeepsInvariants(t *testing.T) {
	ops := 10000
	if s := os.Getenv("GOTENSOR_STAKING_OPS"); s != "" {
		ops, _ = strconv.Atoi(s)
	}
	if testing.Short() {
		ops = 300
	}
	h := stakingHarness(t, 8)
	alice := dev(t, "Alice")
	// A nominator minimum, so unstakes also clear small nominations.
	p := staking.GetParams(h.app.tree)
	p.NominatorMinStake = balances.RAOPerTAO / 10
	staking.SetParams(h.app.tree, p)
	h.block()
	var stakers []*keys.Keypair
	for i := 0; i < 6; i++ {
		kp := keyN(5000 + i)
		stakers = append(stakers, kp)
		h.okc(alice, &txpb.SudoSetBalance{Who: kp.SS58(), Free: 10_000 * balances.RAOPerTAO})
	}
	hotkeys := []*keys.Keypair{}
	for i := 1; i <= 8; i++ {
		hotkeys = append(hotkeys, keyN(i*100))
	}
	rng := rand.New(rand.NewPCG(7, 11))
	var batch [][]byte
	var kinds []string
	nonces := map[keys.PublicKey]uint64{}
	ok, failed, cleared := 0, 0, 0
	okKind := map[string]int{}
	for i := 0; i < ops; i++ {
		who := stakers[rng.IntN(len(stakers))]
		hk := hotkeys[rng.IntN(len(hotkeys))]
		n := uint32(rng.IntN(9)) // 0 = root
		amt := uint64(rng.Int64N(50*int64(balances.RAOPerTAO))) + 1
		held := staking.Stake(h.app.tree, hk.Public(), uint16(n), who.Public())
		dest := uint32(rng.IntN(9))
		if rng.IntN(50) == 0 {
			amt = ^uint64(0) - uint64(rng.IntN(1000)) // near 2^64: refused, never wrapped
			held = amt
		}
		limitPrice := uint64(rng.Int64N(2_000_000_000))
		if rng.IntN(20) == 0 {
			limitPrice = ^uint64(0) - uint64(rng.IntN(1000))
		}
		var c any
		switch rng.IntN(13) {
		case 0, 1:
			c = &txpb.AddStake{Hotkey: hk.SS58(), Netuid: n, Amount: amt}
		case 2:
			c = &txpb.RemoveStake{Hotkey: hk.SS58(), Netuid: n, Amount: staking.Stake(h.app.tree, hk.Public(), uint16(n), who.Public()) / uint64(1+rng.IntN(3))}
		case 3:
			c = &txpb.SwapStake{Hotkey: hk.SS58(), OriginNetuid: n, DestinationNetuid: uint32(rng.IntN(9)), AlphaAmount: staking.Stake(h.app.tree, hk.Public(), uint16(n), who.Public()) / 2}
		case 4:
			c = &txpb.MoveStake{OriginHotkey: hk.SS58(), DestinationHotkey: hotkeys[rng.IntN(8)].SS58(), OriginNetuid: n, DestinationNetuid: n, AlphaAmount: staking.Stake(h.app.tree, hk.Public(), uint16(n), who.Public())}
		case 5:
			c = &txpb.AddStakeLimit{Hotkey: hk.SS58(), Netuid: n, Amount: amt, LimitPrice: limitPrice, AllowPartial: rng.IntN(2) == 0}
		case 6:
			c = &txpb.RemoveStakeLimit{Hotkey: hk.SS58(), Netuid: n, Amount: held / uint64(1+rng.IntN(3)), LimitPrice: limitPrice, AllowPartial: rng.IntN(2) == 0}
		case 7:
			c = &txpb.RemoveStakeFullLimit{Hotkey: hk.SS58(), Netuid: n, LimitPrice: limitPrice}
		case 8:
			c = &txpb.SwapStakeLimit{Hotkey: hk.SS58(), OriginNetuid: n, DestinationNetuid: dest, AlphaAmount: held / 2, LimitPrice: limitPrice, AllowPartial: rng.IntN(2) == 0}
		case 9:
			to := stakers[rng.IntN(len(stakers))]
			c = &txpb.TransferStake{DestinationColdkey: to.SS58(), Hotkey: hk.SS58(), OriginNetuid: n, DestinationNetuid: dest, AlphaAmount: held / uint64(1+rng.IntN(3))}
		case 10:
			c = &txpb.MoveStake{OriginHotkey: hk.SS58(), DestinationHotkey: hotkeys[rng.IntN(8)].SS58(), OriginNetuid: n, DestinationNetuid: dest, AlphaAmount: held / 2}
		case 11:
			c = &txpb.UnstakeAll{Hotkey: hk.SS58()}
		case 12:
			c = &txpb.UnstakeAllAlpha{Hotkey: hk.SS58()}
		}
		if _, seen := nonces[who.Public()]; !seen {
			nonces[who.Public()] = h.nonce(who)
		}
		batch = append(batch, h.sign(who, nonces[who.Public()], stakeCall(c)))
		kinds = append(kinds, fmt.Sprintf("%T", c))
		okKind[kinds[len(kinds)-1]] += 0
		nonces[who.Public()]++
		if len(batch) == 20 || i == ops-1 {
			for j, r := range h.block(batch...) {
				if r.Code == 0 {
					ok++
					okKind[kinds[j]]++
					for _, ev := range r.Events {
						for _, a := range ev.Attributes {
							if ev.Type == staking.EventStakeRemoved && a.Key == "reason" {
								cleared++
							}
						}
					}
				} else {
					failed++
				}
			}
			batch, kinds = batch[:0], kinds[:0]
			checkSupply(t, h)
			for n := uint16(0); n <= 8; n++ {
				checkAlpha(t, h, n, hotkeys)
			}
		}
	}
	if ok < ops/4 {
		t.Fatalf("only %d of %d operations succeeded (%d failed)", ok, ops, failed)
	}
	for kind, n := range okKind {
		if n == 0 && ops >= 2000 {
			t.Errorf("no %s succeeded: the run did not exercise it", kind)
		}
	}
	if cleared == 0 && ops >= 2000 {
		t.Error("no unstake cleared a nomination below the minimum: the run did not exercise it")
	}
	t.Logf("%d operations: %d ok, %d failed as expected by their checks, %d small nominations cleared; succeeded by call: %v", ops, ok, failed, cleared, okKind)
}

// checkAlpha: a subnet's outstanding alpha equals the stake held on it,
// each hotkey's shares sum to its pool's denominator, and no hotkey's
// nominators are worth more than its pool.
func checkAlpha(t *testing.T, h *harness, netuid uint16, hotkeys []*keys.Keypair) {
	t.Helper()
	var sum uint64
	for _, hk := range hotkeys {
		pool := staking.HotkeyPool(h.app.tree, hk.Public(), netuid)
		sum += pool.TotalAlpha
		var noms uint64
		var shares fixed.U64F64
		for _, n := range staking.Nominators(h.app.tree, hk.Public(), netuid, 1000) {
			noms += n.Alpha
			shares = shares.Add(n.Shares)
		}
		if noms > pool.TotalAlpha {
			t.Fatalf("subnet %d hotkey %s: nominators worth %d > pool %d", netuid, hk.SS58(), noms, pool.TotalAlpha)
		}
		if shares != pool.TotalShares {
			t.Fatalf("subnet %d hotkey %s: nominators hold %s shares, the pool's denominator is %s", netuid, hk.SS58(), shares, pool.TotalShares)
		}
	}
	if out := pools.Get(h.app.tree, netuid).AlphaOut; out != sum {
		t.Fatalf("subnet %d: alpha out %d, staked %d", netuid, out, sum)
	}
}

func TestStakingQueries(t *testing.T) {
	h := stakingHarness(t, 1)
	bob := dev(t, "Bob")
	hk := keyN(100)
	h.okc(dev(t, "Alice"), &txpb.SudoSetBalance{Who: bob.SS58(), Free: 1000 * balances.RAOPerTAO})
	var q api.Quote
	h.query("/quote/add_stake?netuid=1&amount=10000000000", &q)
	h.okc(bob, &txpb.AddStake{Hotkey: hk.SS58(), Netuid: 1, Amount: 10 * balances.RAOPerTAO})
	var pos []api.StakePosition
	h.query("/stake/"+bob.SS58(), &pos)
	if len(pos) != 1 || pos[0].Alpha < q.Out*995/1000 || pos[0].Netuid != 1 || pos[0].TAOValue == 0 {
		t.Fatalf("positions %+v (quote %+v)", pos, q)
	}
	var d api.Delegate
	h.query("/delegates/"+hk.SS58(), &d)
	if len(d.Nominators) != 1 || d.Nominators[0].Coldkey != bob.SS58() || d.TakePct != "18.00" {
		t.Fatalf("delegate %+v", d)
	}
	var rq api.Quote
	h.query(fmt.Sprintf("/quote/remove_stake?netuid=1&amount=%d", q.Out), &rq)
	if rq.Out >= 10*balances.RAOPerTAO || rq.Fee == 0 {
		t.Fatalf("remove quote %+v", rq)
	}
}

func TestQuoteErrorsKeepTheirCode(t *testing.T) {
	h := stakingHarness(t, 1)
	r, err := h.app.Query(context.Background(), &abci.QueryRequest{Path: "/quote/add_stake?netuid=1&amount=1000000000&limit=1"})
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := errs.Lookup(r.Codespace, r.Code); e != swap.ErrPriceLimitExceeded {
		t.Fatalf("quote error %s/%d %q", r.Codespace, r.Code, r.Log)
	}
	// A subnet that takes no stake gets the chain's reason, not a quote (or an
	// empty pool's "no liquidity").
	h.okc(dev(t, "Alice"), &txpb.RegisterNetwork{Hotkey: keyN(200).SS58()}) // netuid 2, not started
	for path, want := range map[string]*errs.Error{
		"/quote/add_stake?netuid=2&amount=1000000000":    staking.ErrSubtokenDisabled,
		"/quote/remove_stake?netuid=2&amount=1000000000": staking.ErrSubtokenDisabled,
		"/quote/add_stake?netuid=9&amount=1000000000":    subnets.ErrSubnetNotExists,
	} {
		r, err := h.app.Query(context.Background(), &abci.QueryRequest{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		if e, _ := errs.Lookup(r.Codespace, r.Code); e != want {
			t.Errorf("%s: %s/%d %q, want %s", path, r.Codespace, r.Code, r.Log, want.Name)
		}
	}
	var p api.StakingParams
	h.query(api.PathStakingParams, &p)
	if p.MinStake != 2_000_000 || p.TaoWeightPPM != 180_000 {
		t.Fatalf("staking params %+v", p)
	}
}

func TestPercentRoundsToNearest(t *testing.T) {
	for parts, want := range map[uint64]string{0: "0.00", 11796: "18.00", 5898: "9.00", 65535: "100.00", 1: "0.00", 4: "0.01", 32768: "50.00"} {
		if got := percent(parts); got != want {
			t.Errorf("percent(%d) = %s, want %s", parts, got, want)
		}
	}
}

// A nominator's unstake that leaves less than NominatorMinStake on the
// hotkey unstakes the rest too (§7.3 clear_small_nomination_if_required);
// the hotkey's owner and positions at or above the minimum keep theirs.
func TestNominatorMinimumClearsSmallNominations(t *testing.T) {
	h := stakingHarness(t, 1)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	hk := keyN(100)
	p := staking.GetParams(h.app.tree)
	p.NominatorMinStake = balances.RAOPerTAO
	staking.SetParams(h.app.tree, p)
	h.block()
	var sp api.StakingParams
	h.query(api.PathStakingParams, &sp)
	if sp.NominatorMinStake != balances.RAOPerTAO {
		t.Fatalf("staking params %+v", sp)
	}
	h.okc(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 1000 * balances.RAOPerTAO})
	for _, netuid := range []uint32{1, 0} {
		h.okc(bob, &txpb.AddStake{Hotkey: hk.SS58(), Netuid: netuid, Amount: 10 * balances.RAOPerTAO})
		s := staking.Stake(h.app.tree, hk.Public(), uint16(netuid), bob.Public())
		// Half stays: worth about 5 TAO, above the minimum.
		h.okc(bob, &txpb.RemoveStake{Hotkey: hk.SS58(), Netuid: netuid, Amount: s / 2})
		left := staking.Stake(h.app.tree, hk.Public(), uint16(netuid), bob.Public())
		if left < s/2-1 {
			t.Fatalf("subnet %d: %d of %d left after unstaking half", netuid, left, s)
		}
		// Leaving a tenth of that (about 0.5 TAO) clears the nomination.
		free := h.free(bob)
		r := h.block(h.sign(bob, h.nonce(bob), stakeCall(&txpb.RemoveStake{Hotkey: hk.SS58(), Netuid: netuid, Amount: left - left/10})))[0]
		if r.Code != 0 {
			t.Fatal(r.Log)
		}
		if got := staking.Stake(h.app.tree, hk.Public(), uint16(netuid), bob.Public()); got != 0 {
			t.Fatalf("subnet %d: nomination of %d alpha below the minimum kept", netuid, got)
		}
		if !staking.Shares(h.app.tree, hk.Public(), uint16(netuid), bob.Public()).IsZero() {
			t.Fatalf("subnet %d: shares left behind", netuid)
		}
		if got := h.free(bob) - free; got < left*8/10 {
			t.Fatalf("subnet %d: unstaking %d alpha paid %d", netuid, left, got)
		}
		var cleared bool
		for _, ev := range r.Events {
			for _, a := range ev.Attributes {
				cleared = cleared || (ev.Type == staking.EventStakeRemoved && a.Key == "reason")
			}
		}
		if !cleared {
			t.Fatalf("subnet %d: no StakeRemoved event for the cleared nomination", netuid)
		}
		checkSupply(t, h)
		checkAlpha(t, h, uint16(netuid), []*keys.Keypair{hk})
	}
	// The owner's own stake is no nomination: it stays however small.
	h.okc(alice, &txpb.AddStake{Hotkey: hk.SS58(), Netuid: 1, Amount: 10 * balances.RAOPerTAO})
	before := staking.Stake(h.app.tree, hk.Public(), 1, alice.Public())
	h.okc(alice, &txpb.RemoveStake{Hotkey: hk.SS58(), Netuid: 1, Amount: before * 95 / 100})
	if got := staking.Stake(h.app.tree, hk.Public(), 1, alice.Public()); got == 0 {
		t.Fatal("the owner's small stake was cleared")
	}
	checkSupply(t, h)
	checkAlpha(t, h, 1, []*keys.Keypair{hk})
}

// A full root network (64 uids) takes a newcomer only with more root stake
// than its weakest member, whom it replaces (§13).
func TestRootRegisterWhenFull(t *testing.T) {
	h := stakingHarness(t, 1)
	alice := dev(t, "Alice")
	noRootIntervalCap(h) // 64 registrations in fewer blocks than an interval
	max := int(subnets.Hyper(h.app.tree, 0).MaxAllowedUids)
	// One block takes at most max_registrations_per_block of them.
	per := int(subnets.Hyper(h.app.tree, 0).MaxRegistrationsPerBlock)
	var txs [][]byte
	n := h.nonce(alice)
	for i := 0; i <= per; i++ {
		txs = append(txs, h.sign(alice, n+uint64(i), stakeCall(&txpb.RootRegister{Hotkey: keyN(7000 + i).SS58()})))
	}
	rs := h.block(txs...)
	for i, r := range rs[:per] {
		if r.Code != 0 {
			t.Fatalf("root registration %d: %s", i, r.Log)
		}
	}
	if e, _ := errs.Lookup(rs[per].Codespace, rs[per].Code); e != staking.ErrTooManyRegistrationsThisBlock {
		t.Fatalf("registration %d in one block, limit %d: %d %s", per+1, per, rs[per].Code, rs[per].Log)
	}
	for i := per; i < max; i++ {
		h.okc(alice, &txpb.RootRegister{Hotkey: keyN(7000 + i).SS58()})
	}
	if n := neurons.Count(h.app.tree, 0); int(n) != max {
		t.Fatalf("root has %d uids, want %d", n, max)
	}
	// uid 0 gets root stake; uid 1 is now the weakest (none, lowest uid of the ties).
	h.okc(alice, &txpb.AddStake{Hotkey: keyN(7000).SS58(), Netuid: 0, Amount: balances.RAOPerTAO})
	newcomer := keyN(100) // registered on subnet 1, no root stake yet
	log := h.failsc(alice, &txpb.RootRegister{Hotkey: newcomer.SS58()}, staking.ErrStakeTooLowForRoot)
	if !contains([]byte(log), keyN(7001).SS58()) {
		t.Fatalf("the error does not name the weakest member: %s", log)
	}
	h.okc(alice, &txpb.AddStake{Hotkey: newcomer.SS58(), Netuid: 0, Amount: balances.RAOPerTAO / 2})
	h.okc(alice, &txpb.RootRegister{Hotkey: newcomer.SS58()})
	if uid, ok := neurons.UID(h.app.tree, 0, newcomer.Public()); !ok || uid != 1 {
		t.Fatalf("newcomer at uid %d (%v), want the weakest member's uid 1", uid, ok)
	}
	if _, ok := neurons.UID(h.app.tree, 0, keyN(7001).Public()); ok {
		t.Fatal("the weakest member is still on root")
	}
	if _, ok := neurons.UID(h.app.tree, 0, keyN(7000).Public()); !ok {
		t.Fatal("a member with root stake was replaced")
	}
	if n := neurons.Count(h.app.tree, 0); int(n) != max {
		t.Fatalf("root has %d uids after a replacement", n)
	}
}

// The epoch weighs a hotkey's stake as its alpha plus TaoWeight × its root
// stake, zeroes stake below stake_threshold, and gives permits by that
// weight: a validator with root stake alone gets one, one with alpha below
// the threshold does not (CHAIN-SPEC "Root network", §8).
func TestEpochStakeWeightCountsRootStake(t *testing.T) {
	h := stakingHarness(t, 1)
	alice := dev(t, "Alice")
	alphaOnly, rootOnly := keyN(101), keyN(102)
	for _, hk := range []*keys.Keypair{alphaOnly, rootOnly} {
		h.okc(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: hk.SS58()})
	}
	h.okc(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "stake_threshold", Value: 10 * balances.RAOPerTAO})
	h.okc(alice, &txpb.AddStake{Hotkey: alphaOnly.SS58(), Netuid: 1, Amount: 5 * balances.RAOPerTAO})
	h.okc(alice, &txpb.AddStake{Hotkey: rootOnly.SS58(), Netuid: 0, Amount: 100 * balances.RAOPerTAO})
	uidA, _ := neurons.UID(h.app.tree, 1, alphaOnly.Public())
	uidR, _ := neurons.UID(h.app.tree, 1, rootOnly.Public())
	in, _ := epoch.Inputs(h.app.tree, 1, uint64(h.height), 0, 0)
	if got, want := in.Stake[uidR], staking.TotalHotkeyAlpha(h.app.tree, rootOnly.Public(), 1)+18*balances.RAOPerTAO; got != want {
		t.Fatalf("root-staked validator's epoch stake %d, want its alpha + 0.18 × 100 TAO = %d", got, want)
	}
	if got := in.Stake[uidA]; got != staking.TotalHotkeyAlpha(h.app.tree, alphaOnly.Public(), 1) || got == 0 || got >= 10*balances.RAOPerTAO {
		t.Fatalf("alpha-only validator's epoch stake %d", got)
	}
	tempo := subnets.Hyper(h.app.tree, 1).Tempo
	for i := uint64(0); i <= tempo+1 && !epoch.GetResult(h.app.tree, 1, uidR).Permit; i++ {
		h.block()
	}
	if !epoch.GetResult(h.app.tree, 1, uidR).Permit {
		t.Fatalf("a validator with 18 TAO of stake weight from root stake alone got no permit in %d blocks", tempo+2)
	}
	if epoch.GetResult(h.app.tree, 1, uidA).Permit {
		t.Fatal("a validator with alpha stake below stake_threshold got a permit")
	}
}

// A validator's take goes to its owner coldkey, the rest to its nominators:
// at the default 18% the owner gets 18% of the dividends, at 0% nothing
// (§7.5, §11.6).
func TestTakeSplitsDividendsWithNominators(t *testing.T) {
	h, vals, miners := emissionNet(t)
	bob := dev(t, "Bob") // owns the validator hotkeys; each validator's coldkey is itself
	h.okc(bob, &txpb.DecreaseTake{Hotkey: vals[0].SS58(), Take: 0})
	owned := func(v *keys.Keypair) uint64 { return staking.Stake(h.app.tree, v.Public(), 1, bob.Public()) }
	staked0 := map[keys.PublicKey]uint64{}
	for _, v := range vals {
		staked0[v.Public()] = staking.TotalHotkeyAlpha(h.app.tree, v.Public(), 1)
		if owned(v) != 0 {
			t.Fatalf("owner holds stake on %s before any dividend", v.SS58())
		}
	}
	nextEpoch := func() {
		start := epoch.GetSchedule(h.app.tree, 1).EpochIndex
		for epoch.GetSchedule(h.app.tree, 1).EpochIndex == start {
			h.block()
		}
	}
	nextEpoch() // permits
	var uids, ws []uint32
	for i, m := range miners {
		u, _ := neurons.UID(h.app.tree, 1, m.Public())
		uids, ws = append(uids, uint32(u)), append(ws, uint32(i+1))
	}
	for _, v := range vals {
		h.ok(v, &txpb.SetWeights{Netuid: 1, Uids: uids, Weights: ws})
	}
	for k := 0; k < 3; k++ {
		nextEpoch()
	}
	if got := owned(vals[0]); got != 0 {
		t.Fatalf("take 0%%: the owner got %d alpha of dividends", got)
	}
	for _, v := range vals[1:] {
		grown := staking.TotalHotkeyAlpha(h.app.tree, v.Public(), 1) - staked0[v.Public()]
		took := owned(v)
		// 18% of each epoch's dividends, plus the owner's pro-rata part of
		// the rest once it holds stake there (these pools are small, about
		// 8 alpha against 0.6 alpha of dividends an epoch, so that part is
		// a few percent).
		if grown == 0 || took*10000 < grown*1799 || took*100 > grown*30 {
			t.Fatalf("take 18%%: owner holds %d of %d alpha of dividends (%.2f%%)", took, grown, 100*float64(took)/float64(grown))
		}
		if self := staking.Stake(h.app.tree, v.Public(), 1, v.Public()); self+took > staked0[v.Public()]+grown {
			t.Fatalf("nominator %d + owner %d exceed the pool %d", self, took, staked0[v.Public()]+grown)
		}
	}
	checkSupply(t, h)
}

// unstake_all empties every position on the hotkey however many positions
// the coldkey holds on other hotkeys (a cap on the coldkey's positions in
// key order used to leave a later hotkey's untouched).
func TestUnstakeAllWithManyPositions(t *testing.T) {
	h := stakingHarness(t, 8)
	alice, x := dev(t, "Alice"), keyN(9999)
	h.okc(alice, &txpb.SudoSetBalance{Who: x.SS58(), Free: 1000 * balances.RAOPerTAO})
	var hks []*keys.Keypair
	for i := 1; i <= 8; i++ {
		hks = append(hks, keyN(i*100))
	}
	noRootIntervalCap(h)
	for i := 0; len(hks) < 30; i++ {
		hk := keyN(7000 + i)
		h.okc(alice, &txpb.RootRegister{Hotkey: hk.SS58()})
		hks = append(hks, hk)
	}
	// The target sorts last, so its positions come after every other one.
	slices.SortFunc(hks, func(a, b *keys.Keypair) int { return bytes.Compare(pubBytes(a), pubBytes(b)) })
	target := hks[len(hks)-1]
	var txs [][]byte
	n := h.nonce(x)
	for _, hk := range hks {
		for netuid := uint32(0); netuid <= 8; netuid++ {
			txs = append(txs, h.sign(x, n, stakeCall(&txpb.AddStake{Hotkey: hk.SS58(), Netuid: netuid, Amount: balances.RAOPerTAO / 100})))
			n++
		}
	}
	for len(txs) > 0 {
		k := min(len(txs), 60)
		for _, r := range h.block(txs[:k]...) {
			if r.Code != 0 {
				t.Fatal(r.Log)
			}
		}
		txs = txs[k:]
	}
	if got := len(staking.PositionsOf(h.app.tree, x.Public(), 1000)); got != len(hks)*9 || got <= 256 {
		t.Fatalf("%d positions, want %d", got, len(hks)*9)
	}
	h.okc(x, &txpb.UnstakeAll{Hotkey: target.SS58()})
	h.failsc(x, &txpb.UnstakeAll{Hotkey: target.SS58()}, staking.ErrNotEnoughStakeToWithdraw)
	h.failsc(x, &txpb.UnstakeAllAlpha{Hotkey: target.SS58()}, staking.ErrNotEnoughStakeToWithdraw)
	if left := staking.PositionsOn(h.app.tree, x.Public(), target.Public(), 100); len(left) != 0 {
		t.Fatalf("unstake_all left %d positions on the hotkey: %+v", len(left), left)
	}
	if got := len(staking.PositionsOf(h.app.tree, x.Public(), 1000)); got != (len(hks)-1)*9 {
		t.Fatalf("%d positions after unstake_all, want the other hotkeys' %d", got, (len(hks)-1)*9)
	}
	checkSupply(t, h)
}
