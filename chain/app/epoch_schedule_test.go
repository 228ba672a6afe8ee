package app

import (
	"context"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/coinbase"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/fixed"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

// blockWithEvents finalizes and commits a block like h.block and also returns the block's
// own events (begin-block: coinbase, epochs), as name → attributes, in order.
func (h *harness) blockWithEvents(txs ...[]byte) ([]*abci.ExecTxResult, []blockEvent) {
	h.t.Helper()
	h.height++
	resp, err := h.app.FinalizeBlock(context.Background(), &abci.FinalizeBlockRequest{Height: h.height, Txs: txs,
		Time: time.Unix(1700000000+h.height, 0), ProposerAddress: proposer})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.app.Commit(context.Background(), &abci.CommitRequest{}); err != nil {
		h.t.Fatal(err)
	}
	var evs []blockEvent
	for _, e := range resp.Events {
		ev := blockEvent{typ: e.Type, attrs: map[string]string{}}
		for _, a := range e.Attributes {
			ev.attrs[a.Key] = a.Value
		}
		evs = append(evs, ev)
	}
	return resp.TxResults, evs
}

type blockEvent struct {
	typ   string
	attrs map[string]string
}

func (e blockEvent) u64(t *testing.T, k string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(e.attrs[k], 10, 64)
	if err != nil {
		t.Fatalf("event %s: attribute %s: %v", e.typ, k, err)
	}
	return v
}

// TestEpochScheduleTempoAndDeferral: §10 HEAD. A new subnet's first epoch is staggered by
// netuid mod tempo; each subnet's epoch then runs exactly when block − LastEpochBlock
// reaches its tempo, raising the epoch index by one; when more subnets are due than
// MaxEpochsPerBlock (2), those past the limit in netuid order wait one block
// (PendingEpochAt, EpochDeferred) and run in the next.
func TestEpochScheduleTempoAndDeferral(t *testing.T) {
	h := stakingHarness(t, 3)
	const tempo = 20 // the localnet profile's
	for n := uint16(1); n <= 3; n++ {
		if got := subnets.Hyper(h.app.tree, n).Tempo; got != tempo {
			t.Fatalf("subnet %d tempo %d, want the localnet %d", n, got, tempo)
		}
		sn, _ := subnets.Get(h.app.tree, n)
		s := epoch.GetSchedule(h.app.tree, n)
		if want := sn.RegisteredAt - uint64(n)%tempo; s.EpochIndex == 0 && s.LastEpochBlock != want {
			t.Fatalf("subnet %d registered at %d: first LastEpochBlock %d, want %d (staggered by netuid mod tempo)", n, sn.RegisteredAt, s.LastEpochBlock, want)
		}
	}
	// Three tempos: every epoch runs at the block the schedule predicts.
	runs := map[uint16]int{}
	for range 3 * tempo {
		next := map[uint16]uint64{}
		idx := map[uint16]uint64{}
		for n := uint16(1); n <= 3; n++ {
			next[n] = epoch.NextEpochBlock(h.app.tree, n)
			idx[n] = epoch.GetSchedule(h.app.tree, n).EpochIndex
		}
		_, evs := h.blockWithEvents()
		ran := map[uint16]bool{}
		for _, e := range evs {
			if e.typ == epoch.EventEpochRun {
				ran[uint16(e.u64(t, "netuid"))] = true
			}
		}
		for n := uint16(1); n <= 3; n++ {
			s := epoch.GetSchedule(h.app.tree, n)
			due := uint64(h.height) >= next[n]
			if due != ran[n] || (s.EpochIndex == idx[n]+1) != due || (due && s.LastEpochBlock != uint64(h.height)) {
				t.Fatalf("block %d subnet %d: next epoch was %d, ran %v, index %d → %d, last epoch block %d",
					h.height, n, next[n], ran[n], idx[n], s.EpochIndex, s.LastEpochBlock)
			}
			if due {
				runs[n]++
			}
		}
	}
	for n := uint16(1); n <= 3; n++ {
		if runs[n] != 3 {
			t.Fatalf("subnet %d ran %d epochs in 3 tempos", n, runs[n])
		}
	}

	// All three due at once: 1 and 2 run, 3 is deferred one block.
	for n := uint16(1); n <= 3; n++ {
		s := epoch.GetSchedule(h.app.tree, n)
		s.PendingEpochAt = uint64(h.height + 1)
		epoch.PutSchedule(h.app.tree, n, s)
	}
	before := epoch.GetSchedule(h.app.tree, 3)
	_, evs := h.blockWithEvents()
	var ran []uint64
	deferred := false
	for _, e := range evs {
		switch e.typ {
		case epoch.EventEpochRun:
			ran = append(ran, e.u64(t, "netuid"))
		case epoch.EventEpochDeferred:
			if e.u64(t, "netuid") != 3 || e.u64(t, "to_block") != uint64(h.height+1) {
				t.Fatalf("deferred %v at block %d", e.attrs, h.height)
			}
			deferred = true
		}
	}
	if !slices.Equal(ran, []uint64{1, 2}) || !deferred {
		t.Fatalf("block %d ran epochs of %v (deferral event %v), want subnets 1 and 2 and subnet 3 deferred", h.height, ran, deferred)
	}
	if s := epoch.GetSchedule(h.app.tree, 3); s.EpochIndex != before.EpochIndex || s.PendingEpochAt != uint64(h.height+1) ||
		epoch.NextEpochBlock(h.app.tree, 3) != uint64(h.height+1) {
		t.Fatalf("deferred subnet 3: schedule %+v, next epoch %d", s, epoch.NextEpochBlock(h.app.tree, 3))
	}
	_, evs = h.blockWithEvents()
	ran = ran[:0]
	for _, e := range evs {
		if e.typ == epoch.EventEpochRun {
			ran = append(ran, e.u64(t, "netuid"))
		}
	}
	if s := epoch.GetSchedule(h.app.tree, 3); !slices.Equal(ran, []uint64{3}) || s.EpochIndex != before.EpochIndex+1 || s.PendingEpochAt != 0 ||
		s.LastEpochBlock != uint64(h.height) {
		t.Fatalf("block after the deferral ran %v; subnet 3 schedule %+v", ran, s)
	}
}

// TestRandomEpochRunKeepsInvariants: two subnets with validators and miners, random
// weights, stake changes and registrations over many blocks with emission on. After every
// block: CHAIN-SPEC's issuance and alpha invariants; at every epoch: incentive and
// dividends sum to 65535 ± n or to 0, the EpochPaid amounts add up (paid + burned =
// drained, drained = the pending the subnet had accumulated), the per-payout events add up
// to what EpochPaid says was paid, and nothing stays pending.
func TestRandomEpochRunKeepsInvariants(t *testing.T) {
	blocks := 400
	if testing.Short() {
		blocks = 120
	}
	h := stakingHarness(t, 2)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	h.okc(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 1_000_000 * balances.RAOPerTAO})
	for n := uint32(1); n <= 2; n++ {
		h.okc(alice, &txpb.SetHyperparameter{Netuid: n, Name: "weights_set_rate_limit", Value: 0})
		h.okc(alice, &txpb.SetHyperparameter{Netuid: n, Name: "max_allowed_validators", Value: 4})
	}
	hotkeys := []*keys.Keypair{keyN(100), keyN(200)} // the owners'
	var cand []*keys.Keypair
	for i := range 12 {
		cand = append(cand, keyN(3000+i))
	}
	hotkeys = append(hotkeys, cand...)
	rng := rand.New(rand.NewPCG(5, 9))
	var pending [2]coinbase.Pending
	epochs, paying, weightsSet, okTxs := 0, 0, 0, 0
	for b := range blocks {
		var txs [][]byte
		nonce := h.nonce(bob)
		add := func(c any) {
			txs = append(txs, h.sign(bob, nonce, stakeCall(c)))
			nonce++
		}
		netuid := uint32(1 + rng.IntN(2))
		hk := cand[rng.IntN(len(cand))]
		switch op := rng.IntN(10); {
		case b < 16: // register every candidate on both subnets first
			add(&txpb.BurnedRegister{Netuid: uint32(1 + b%2), Hotkey: cand[b/2%len(cand)].SS58()})
			if b%2 == 1 && b/2 < 6 {
				add(&txpb.AddStake{Hotkey: cand[b/2].SS58(), Netuid: 1, Amount: uint64(10+rng.IntN(500)) * balances.RAOPerTAO})
				add(&txpb.AddStake{Hotkey: cand[b/2].SS58(), Netuid: 2, Amount: uint64(10+rng.IntN(500)) * balances.RAOPerTAO})
			}
		case op < 5: // a hotkey sets random weights (refused without a permit: fine)
			n := neurons.Count(h.app.tree, uint16(netuid))
			var us, ws []uint32
			for u := range n {
				if rng.IntN(3) > 0 {
					us = append(us, uint32(u))
					ws = append(ws, uint32(rng.IntN(65536)))
				}
			}
			if len(us) > 0 {
				txs = append(txs, h.sign(hk, h.nonce(hk), call(&txpb.SetWeights{Netuid: netuid, Uids: us, Weights: ws})))
			}
		case op < 7:
			add(&txpb.AddStake{Hotkey: hk.SS58(), Netuid: netuid, Amount: uint64(1+rng.IntN(100)) * balances.RAOPerTAO})
		case op < 9:
			// Bob is the coldkey of every candidate's stake.
			add(&txpb.RemoveStake{Hotkey: hk.SS58(), Netuid: netuid, Amount: stakeOf(h, hk, uint16(netuid), bob) / uint64(1+rng.IntN(3))})
		default:
			add(&txpb.BurnedRegister{Netuid: netuid, Hotkey: hk.SS58()})
		}
		for n := range pending {
			pending[n] = coinbase.GetPending(h.app.tree, uint16(n+1))
		}
		res, evs := h.blockWithEvents(txs...)
		for _, r := range res {
			if r.Code == 0 {
				okTxs++
			}
		}
		for _, r := range res {
			for _, e := range r.Events {
				if e.Type == epoch.EventWeightsSet {
					weightsSet++
				}
			}
		}
		checkSupply(t, h)
		for n := uint16(0); n <= 2; n++ {
			checkAlpha(t, h, n, hotkeys)
			checkShares(t, h, n, hotkeys)
		}
		for _, e := range evs {
			if e.typ != coinbase.EventEpochPaid {
				continue
			}
			epochs++
			n := uint16(e.u64(t, "netuid"))
			drained, paid, burned := e.u64(t, "drained"), e.u64(t, "paid"), e.u64(t, "burned")
			// What accumulated: the pending before the block plus this block's injection.
			var injected uint64
			for _, x := range evs {
				if x.typ == coinbase.EventEmission && x.u64(t, "netuid") == uint64(n) {
					injected = x.u64(t, "alpha_out") - x.u64(t, "root_alpha_recycled")
				}
			}
			p := pending[n-1]
			if want := p.Server + p.Validator + p.Root + p.OwnerCut + injected; drained != want || paid+burned != drained || paid > drained {
				t.Fatalf("block %d subnet %d: drained %d (pending before %d + injected %d), paid %d, burned %d",
					h.height, n, drained, p.Server+p.Validator+p.Root+p.OwnerCut, injected, paid, burned)
			}
			// One event per payout; together they are what EpochPaid says was paid and burned.
			var evPaid, evBurned uint64
			for _, x := range evs {
				if x.attrs["netuid"] != e.attrs["netuid"] {
					continue
				}
				switch x.typ {
				case coinbase.EventIncentivePaid, coinbase.EventOwnerCutPaid:
					evPaid += x.u64(t, "alpha")
				case coinbase.EventDividendsPaid:
					evPaid += x.u64(t, "alpha") + x.u64(t, "root")
					if x.u64(t, "take") > x.u64(t, "alpha")+x.u64(t, "root") {
						t.Fatalf("block %d: take above the dividends: %v", h.height, x.attrs)
					}
				case coinbase.EventIncentiveBurned:
					evBurned += x.u64(t, "alpha")
				}
			}
			if evPaid != paid || evBurned > burned {
				t.Fatalf("block %d subnet %d: payout events add up to %d paid, %d burned; EpochPaid says %d paid, %d burned", h.height, n, evPaid, evBurned, paid, burned)
			}
			if q := coinbase.GetPending(h.app.tree, n); q.Server+q.Validator+q.Root+q.OwnerCut != 0 {
				t.Fatalf("block %d subnet %d: pending left after the epoch %+v", h.height, n, q)
			}
			cnt := neurons.Count(h.app.tree, n)
			var inc, div uint64
			for u := range cnt {
				r := epoch.GetResult(h.app.tree, n, u)
				inc += uint64(r.Incentive)
				div += uint64(r.Dividends)
			}
			if inc > 0 && div > 0 {
				paying++
			}
			for name, s := range map[string]uint64{"incentive": inc, "dividends": div} {
				if s != 0 && (s+uint64(cnt) < 65535 || s > 65535+uint64(cnt)) {
					t.Fatalf("block %d subnet %d: %s sums to %d over %d uids", h.height, n, name, s, cnt)
				}
			}
		}
	}
	t.Logf("%d blocks: %d transactions applied, %d weight rows set, %d epochs, %d paying incentive and dividends", blocks, okTxs, weightsSet, epochs, paying)
	if epochs < blocks/20 || paying < epochs/2 || weightsSet < blocks/10 {
		t.Fatalf("the run exercised too little: %d epochs in %d blocks, %d with incentive and dividends, %d weight rows set", epochs, blocks, paying, weightsSet)
	}
}

// checkShares: CHAIN-SPEC's "shares of each (hotkey, netuid) sum to its denominator",
// exactly.
func checkShares(t *testing.T, h *harness, netuid uint16, hotkeys []*keys.Keypair) {
	t.Helper()
	for _, hk := range hotkeys {
		pool := staking.HotkeyPool(h.app.tree, hk.Public(), netuid)
		var sum fixed.U64F64
		for _, n := range staking.Nominators(h.app.tree, hk.Public(), netuid, 1000) {
			sum = sum.Add(n.Shares)
		}
		if sum.Cmp(pool.TotalShares) != 0 {
			t.Fatalf("block %d subnet %d hotkey %s: nominators' shares sum to %s, the pool's denominator is %s", h.height, netuid, hk.SS58(), sum, pool.TotalShares)
		}
	}
}

func stakeOf(h *harness, hk *keys.Keypair, netuid uint16, ck *keys.Keypair) uint64 {
	return staking.Stake(h.app.tree, hk.Public(), netuid, ck.Public())
}

// TestDividendTakeAndOwnerIncentiveBurned: §11.5 at one epoch. A validator's alpha
// dividends pay its take (delegate take of 65535) as stake for the hotkey's owner and the
// rest to all its nominators pro rata (the owner among them, with its takes); the
// incentive of a hotkey the subnet owner's coldkey registered is burned, not staked, and
// counted in EpochPaid's burned amount.
func TestDividendTakeAndOwnerIncentiveBurned(t *testing.T) {
	h, vals, miners := emissionNet(t)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	ownMiner := keyN(2100)
	h.ok(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: ownMiner.SS58()})
	h.waitEpoch(1)
	var us, ws []uint32
	for i, m := range append(miners, ownMiner) {
		u, _ := neurons.UID(h.app.tree, 1, m.Public())
		us, ws = append(us, uint32(u)), append(ws, uint32(100*(i+1)))
	}
	for _, v := range vals {
		h.ok(v, &txpb.SetWeights{Netuid: 1, Uids: us, Weights: ws})
	}
	h.waitEpoch(1) // the owner holds takes from here
	for {
		// Every nominator's stake on each validator before the block.
		before := map[keys.PublicKey]map[keys.PublicKey]uint64{}
		for _, v := range vals {
			before[v.Public()] = map[keys.PublicKey]uint64{}
			for _, nm := range staking.Nominators(h.app.tree, v.Public(), 1, 1000) {
				before[v.Public()][nm.Coldkey] = staking.Stake(h.app.tree, v.Public(), 1, nm.Coldkey)
			}
		}
		ownBefore := staking.TotalHotkeyAlpha(h.app.tree, ownMiner.Public(), 1)
		_, evs := h.blockWithEvents()
		var paidEv *blockEvent
		for i := range evs {
			if evs[i].typ == coinbase.EventEpochPaid {
				paidEv = &evs[i]
			}
		}
		if paidEv == nil {
			continue
		}
		var divs, burnedInc int
		for _, e := range evs {
			switch e.typ {
			case coinbase.EventDividendsPaid:
				divs++
				hk, err := keys.ParseSS58(e.attrs["hotkey"])
				if err != nil {
					t.Fatal(err)
				}
				alpha, take := e.u64(t, "alpha"), e.u64(t, "take")
				if want := alpha * staking.GetTake(h.app.tree, hk).Take / 65535; take != want || e.u64(t, "root") != 0 {
					t.Fatalf("dividends %v: take %d, want %d", e.attrs, take, want)
				}
				owner, _ := neurons.Owner(h.app.tree, hk)
				if _, ok := before[hk][owner]; !ok || owner != bob.Public() {
					t.Fatalf("validator %s: owner %s holds no earlier take", hk.SS58(), owner.SS58())
				}
				// The take is staked first, so the owner's share of the rest counts it (as the
				// reference: the take, then the rest added to the hotkey's whole pool).
				var total, grown uint64
				for _, st := range before[hk] {
					total += st
				}
				total += take
				for ck, st := range before[hk] {
					base := st
					if ck == owner {
						base += take
					}
					want := new(big.Int).Mul(new(big.Int).SetUint64(alpha-take), new(big.Int).SetUint64(base))
					w := want.Quo(want, new(big.Int).SetUint64(total)).Uint64()
					if ck == owner {
						w += take
					}
					got := staking.Stake(h.app.tree, hk, 1, ck) - st
					dust := uint64(0) // the rounding dust of the shares goes to the owner
					if ck == owner {
						dust = uint64(len(before[hk]))
					}
					if got > w+dust || got+1 < w {
						t.Fatalf("validator %s: dividends %d, take %d: coldkey %s (owner %v) stake grew %d, want %d", hk.SS58(), alpha, take, ck.SS58(), ck == owner, got, w)
					}
					grown += got
				}
				if grown > alpha || grown+uint64(len(before[hk])) < alpha {
					t.Fatalf("validator %s: dividends %d, its nominators' stakes grew %d in all", hk.SS58(), alpha, grown)
				}
			case coinbase.EventIncentiveBurned:
				if e.attrs["hotkey"] != ownMiner.SS58() || e.u64(t, "alpha") == 0 || e.u64(t, "alpha") > paidEv.u64(t, "burned") {
					t.Fatalf("incentive burned %v, EpochPaid %v", e.attrs, paidEv.attrs)
				}
				burnedInc++
			case coinbase.EventIncentivePaid:
				if e.attrs["hotkey"] == ownMiner.SS58() || e.attrs["coldkey"] != bob.SS58() {
					t.Fatalf("incentive paid %v", e.attrs)
				}
			}
		}
		if divs != len(vals) || burnedInc != 1 {
			t.Fatalf("epoch at block %d: %d dividend payouts (want %d), %d owner incentive burns (want 1)", h.height, divs, len(vals), burnedInc)
		}
		if got := staking.TotalHotkeyAlpha(h.app.tree, ownMiner.Public(), 1); got != ownBefore {
			t.Fatalf("the owner's miner hotkey stake moved %d → %d", ownBefore, got)
		}
		break
	}
}
