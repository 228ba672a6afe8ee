package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/pools"
	"github.com/gotensor/gotensor/chain/registration"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/chain/yuma"
)

// TestSubnetCallErrorTable runs, per call, each error of reference §17 that the
// other subnet tests do not reach, by its reference name, and checks that the
// refused call changed nothing it was about.
func TestSubnetCallErrorTable(t *testing.T) {
	h := newHarness(t)
	alice, bob := dev(t, "Alice"), dev(t, "Bob") // alice: sudo and owner of subnet 1
	h.ok(alice, &txpb.SudoSetBalance{Who: alice.SS58(), Free: 1_000_000 * balances.RAOPerTAO})
	h.ok(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 10_000 * balances.RAOPerTAO})
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(0).SS58()})
	h.ok(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(1).SS58()})
	h.ok(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(2).SS58()})
	// Each part runs on the one chain, in order; the harness reports to the part.
	run := func(name string, f func(t *testing.T)) {
		parent := h.t
		defer func() { h.t = parent }()
		t.Run(name, func(t *testing.T) { h.t = t; f(t) })
	}

	run("burned_register", func(t *testing.T) {
		// A malformed hotkey.
		h.fails(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: "5notanaddress"}, subnets.ErrInvalidHotkey)
		// Bob's hotkey cannot be registered by alice.
		h.ok(bob, &txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(3).SS58()})
		h.fails(alice, &txpb.RegisterNetwork{Hotkey: keyN(3).SS58()}, neurons.ErrNonAssociatedColdKey)
		h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(20).SS58()}) // subnet 2
		h.fails(alice, &txpb.BurnedRegister{Netuid: 2, Hotkey: keyN(3).SS58()}, neurons.ErrNonAssociatedColdKey)
		// Registration switched off.
		h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "network_registration_allowed", Value: 0})
		free := h.free(alice)
		h.fails(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(4).SS58()}, subnets.ErrSubNetRegistrationDisabled)
		if n := neurons.Count(h.app.tree, 1); n != 4 {
			t.Fatalf("refused registration changed the uid count to %d", n)
		}
		if paid := free - h.free(alice); paid >= subnets.Burn(h.app.tree, 1).Burn {
			t.Fatalf("refused registration paid %d", paid)
		}
		h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "network_registration_allowed", Value: 1})
		// MaxRegistrationsPerBlock (legacy check kept by CHAIN-SPEC): the second
		// registration in one block is refused and names the next block.
		h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "max_registrations_per_block", Value: 1})
		n := h.nonce(alice)
		res := h.block(
			h.sign(alice, n, call(&txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(4).SS58()})),
			h.sign(alice, n+1, call(&txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(5).SS58()})))
		if res[0].Code != 0 {
			t.Fatal(res[0].Log)
		}
		if got, _ := errs.Lookup(res[1].Codespace, res[1].Code); got != registration.ErrTooManyRegistrationsThisBlock {
			t.Fatalf("second registration in a block: %s/%d %q", res[1].Codespace, res[1].Code, res[1].Log)
		}
		if want := fmt.Sprintf("next allowed at block %d", h.height+1); !strings.Contains(res[1].Log, want) {
			t.Fatalf("%q does not name %q", res[1].Log, want)
		}
		if _, ok := neurons.UID(h.app.tree, 1, keyN(5).Public()); ok {
			t.Fatal("refused registration got a uid")
		}
		h.ok(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(5).SS58()}) // next block: allowed
	})

	run("start_call", func(t *testing.T) {
		h.ok(alice, &txpb.SudoSetParameter{Name: "start_call_delay", Value: 50})
		h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(30).SS58()}) // subnet 3
		at := mustSubnet(t, h, 3).RegisteredAt
		log := h.fails(alice, &txpb.StartCall{Netuid: 3}, subnets.ErrStartCallTooEarly)
		if want := fmt.Sprintf("allowed from block %d", at+50); !strings.Contains(log, want) {
			t.Fatalf("%q does not name %q", log, want)
		}
		if mustSubnet(t, h, 3).FirstEmissionBlock != 0 {
			t.Fatal("refused start_call started the subnet")
		}
	})

	run("hyperparameters", func(t *testing.T) {
		cur := uint64(neurons.Count(h.app.tree, 1))
		h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "max_allowed_validators", Value: 2})
		h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "min_allowed_uids", Value: 1})
		h.fails(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "max_allowed_uids", Value: cur - 1}, subnets.ErrMaxUidsLessThanCurrent)
		// max_allowed_uids ≥ min_allowed_uids, whichever changes (§14).
		h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "min_allowed_uids", Value: 64})
		h.fails(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "max_allowed_uids", Value: 32}, subnets.ErrMaxUidsLessThanMinUids)
		h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "max_allowed_uids", Value: 64})
		h.fails(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "min_allowed_uids", Value: 65}, subnets.ErrMaxUidsLessThanMinUids)
		// Alpha values: only with liquid alpha on, low ≤ high.
		h.fails(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "alpha_low", Value: 40000}, subnets.ErrLiquidAlphaDisabled)
		h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "liquid_alpha_enabled", Value: 1})
		h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "alpha_low", Value: 40000})
		h.fails(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "alpha_low", Value: 60000}, subnets.ErrAlphaLowHigh)
		h.fails(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "alpha_high", Value: 1000}, subnets.ErrValueNotInBounds)
		// The owner changes weights_version_key at most once per 5 tempos, even with
		// the other hyperparameters' owner limit off (§15).
		h.ok(alice, &txpb.SudoSetParameter{Name: "owner_hparam_rate_limit", Value: 0})
		h.ok(bob, &txpb.RegisterNetwork{Hotkey: keyN(40).SS58()})
		bobNet := uint32(subnets.Netuids(h.app.tree)[len(subnets.Netuids(h.app.tree))-1])
		h.ok(bob, &txpb.SetHyperparameter{Netuid: bobNet, Name: "weights_version_key", Value: 2})
		at := uint64(h.height)
		log := h.fails(bob, &txpb.SetHyperparameter{Netuid: bobNet, Name: "weights_version_key", Value: 3}, subnets.ErrOwnerRateLimited)
		if want := fmt.Sprintf("next allowed at block %d", at+5*subnets.Hyper(h.app.tree, uint16(bobNet)).Tempo); !strings.Contains(log, want) {
			t.Fatalf("%q does not name %q", log, want)
		}
		h.ok(bob, &txpb.SetHyperparameter{Netuid: bobNet, Name: "immunity_period", Value: 7})
		h.ok(bob, &txpb.SetHyperparameter{Netuid: bobNet, Name: "immunity_period", Value: 8})
		hp := subnets.Hyper(h.app.tree, 1)
		if hp.MaxAllowedUids != 64 || hp.MinAllowedUids != 64 || hp.AlphaLow != 40000 || hp.AlphaHigh != 58982 {
			t.Fatalf("refused settings changed the hyperparameters: %+v", hp)
		}
	})

	run("serve_prometheus", func(t *testing.T) {
		hk := keyN(1)
		h.ok(hk, &txpb.ServePrometheus{Netuid: 1, Version: 3, Ip: []byte{10, 0, 0, 9}, Port: 9100, IpType: 4})
		var n api.Neuron
		h.query("/subnets/1/neurons/1", &n)
		if p := n.Prometheus; p == nil || p.IP != "10.0.0.9" || p.Port != 9100 || p.Version != 3 || p.Block != uint64(h.height) {
			t.Fatalf("prometheus %+v", n.Prometheus)
		}
		h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "serving_rate_limit", Value: 10})
		for _, c := range []struct {
			p    *txpb.ServePrometheus
			want *errs.Error
		}{
			// Unlike an axon, a metrics endpoint may not be 0.0.0.0 (§5).
			{&txpb.ServePrometheus{Netuid: 1, Ip: []byte{0, 0, 0, 0}, Port: 9100, IpType: 4}, neurons.ErrInvalidIpAddress},
			{&txpb.ServePrometheus{Netuid: 1, Ip: make([]byte, 16), Port: 9100, IpType: 6}, neurons.ErrInvalidIpAddress},
			{&txpb.ServePrometheus{Netuid: 1, Ip: []byte{127, 0, 0, 1}, Port: 9100, IpType: 4}, neurons.ErrInvalidIpAddress},
			{&txpb.ServePrometheus{Netuid: 1, Ip: []byte{10, 0, 0, 9}, Port: 9100, IpType: 5}, neurons.ErrInvalidIpType},
			{&txpb.ServePrometheus{Netuid: 9, Ip: []byte{10, 0, 0, 9}, Port: 9100, IpType: 4}, subnets.ErrSubnetNotExists},
			{&txpb.ServePrometheus{Netuid: 1, Ip: []byte{10, 0, 0, 10}, Port: 9100, IpType: 4}, neurons.ErrServingRateLimitExceeded},
		} {
			h.fails(hk, c.p, c.want)
		}
		h.fails(keyN(77), &txpb.ServePrometheus{Netuid: 1, Ip: []byte{10, 0, 0, 9}, Port: 9100, IpType: 4}, neurons.ErrHotKeyNotRegisteredInNetwork)
		h.query("/subnets/1/neurons/1", &n)
		if n.Prometheus.IP != "10.0.0.9" {
			t.Fatalf("a refused serve_prometheus changed the endpoint: %+v", n.Prometheus)
		}
	})

	run("serve_axon", func(t *testing.T) {
		hk := keyN(2)
		h.fails(hk, &txpb.ServeAxon{Netuid: 1, Ip: []byte{10, 0, 0, 2}, Port: 8091, IpType: 4, Protocol: 256}, neurons.ErrInvalidVersion)
		// An axon may announce 0.0.0.0 (§5: serving without a public address).
		h.ok(hk, &txpb.ServeAxon{Netuid: 1, Ip: []byte{0, 0, 0, 0}, Port: 8091, IpType: 4, Protocol: 4})
		h.fails(hk, &txpb.ServeAxon{Netuid: 1, Ip: []byte{10, 0, 0, 2}, Port: 8091, IpType: 4}, neurons.ErrServingRateLimitExceeded)
	})

	run("set_commitment", func(t *testing.T) {
		hk := keyN(2)
		h.ok(alice, &txpb.SudoSetBalance{Who: hk.SS58(), Free: balances.RAOPerTAO})
		h.ok(alice, &txpb.SudoSetParameter{Name: "commitment_rate_limit", Value: 5})
		h.ok(hk, &txpb.SetCommitment{Netuid: 1, Data: make([]byte, neurons.MaxCommitment)}) // exactly 1 KiB
		at := uint64(h.height)
		log := h.fails(hk, &txpb.SetCommitment{Netuid: 1, Data: []byte("again")}, neurons.ErrCommitmentRateLimited)
		if want := fmt.Sprintf("next allowed at block %d", at+5); !strings.Contains(log, want) {
			t.Fatalf("%q does not name %q", log, want)
		}
		if c, _ := neurons.GetCommitment(h.app.tree, 1, hk.Public()); len(c.Data) != neurons.MaxCommitment || c.Block != at {
			t.Fatalf("a refused commitment changed the stored one: block %d, %d bytes", c.Block, len(c.Data))
		}
		h.ok(alice, &txpb.SudoSetBalance{Who: keyN(78).SS58(), Free: balances.RAOPerTAO})
		h.fails(keyN(78), &txpb.SetCommitment{Netuid: 1, Data: []byte("x")}, neurons.ErrHotKeyNotRegisteredInNetwork)
		h.fails(hk, &txpb.SetCommitment{Netuid: 9, Data: []byte("x")}, subnets.ErrSubnetNotExists)
	})

	run("identities", func(t *testing.T) {
		h.fails(bob, &txpb.SetSubnetIdentity{Netuid: 1, Identity: &txpb.SubnetIdentity{SubnetName: "mine"}}, subnets.ErrNotOwner)
		h.fails(alice, &txpb.SetSubnetIdentity{Netuid: 1, Identity: &txpb.SubnetIdentity{Description: strings.Repeat("x", 1025)}}, subnets.ErrInvalidIdentity)
		h.ok(alice, &txpb.SetSubnetIdentity{Netuid: 1, Identity: &txpb.SubnetIdentity{SubnetName: "one", Description: strings.Repeat("x", 1024)}})
		h.fails(bob, &txpb.SetIdentity{Identity: &txpb.ChainIdentity{Name: strings.Repeat("x", 257)}}, subnets.ErrInvalidIdentity)
		h.ok(bob, &txpb.SetIdentity{Identity: &txpb.ChainIdentity{Name: "Bob", Image: strings.Repeat("i", 1024)}})
		var id api.ChainIdentity
		h.query(api.PathIdentity+bob.SS58(), &id)
		if id.Name != "Bob" || len(id.Image) != 1024 {
			t.Fatalf("identity %+v", id)
		}
		var s api.Subnet
		h.query("/subnets/1", &s)
		if s.Identity == nil || s.Identity.SubnetName != "one" {
			t.Fatalf("subnet identity %+v", s.Identity)
		}
	})
}

// TestReplacementClearsWhatHEADLists replaces a uid and checks reference §4.3's list:
// the old hotkey's uid map, axon, prometheus endpoint and commitment go; the uid's own
// weight row goes, weights pointing to it become 0 (others stay); its last update is
// the registration block; its emission restarts at 0; the old hotkey's stake stays.
func TestReplacementClearsWhatHEADLists(t *testing.T) {
	h := newHarness(t)
	alice := dev(t, "Alice")
	h.ok(alice, &txpb.SudoSetBalance{Who: alice.SS58(), Free: 1_000_000 * balances.RAOPerTAO})
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(0).SS58()})
	h.ok(alice, &txpb.StartCall{Netuid: 1})
	// A long tempo: no epoch pays emission while the test runs.
	for _, kv := range [][2]any{{"tempo", 10000}, {"max_allowed_validators", 3}, {"min_allowed_uids", 1}, {"max_allowed_uids", 3}, {"immunity_period", 0}, {"min_non_immune_uids", 0}} {
		h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: kv[0].(string), Value: uint64(kv[1].(int))})
	}
	old, other := keyN(1), keyN(2)
	h.ok(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: old.SS58()})
	h.ok(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: other.SS58()})
	h.ok(alice, &txpb.SudoSetBalance{Who: old.SS58(), Free: balances.RAOPerTAO})
	h.ok(old, &txpb.ServeAxon{Netuid: 1, Ip: []byte{10, 0, 0, 1}, Port: 8091, IpType: 4, Protocol: 4})
	h.ok(old, &txpb.ServePrometheus{Netuid: 1, Ip: []byte{10, 0, 0, 1}, Port: 9100, IpType: 4})
	h.ok(old, &txpb.SetCommitment{Netuid: 1, Data: []byte("model")})
	h.ok(old, &txpb.SetWeights{Netuid: 1, Uids: []uint32{1}, Weights: []uint32{65535}}) // self weight
	h.okc(alice, &txpb.AddStake{Hotkey: old.SS58(), Netuid: 1, Amount: 10 * balances.RAOPerTAO})
	stake := staking.Stake(h.app.tree, old.Public(), 1, alice.Public())
	// The owner's hotkey (uid 0) weighs uids 1 and 2.
	h.ok(keyN(0), &txpb.SetWeights{Netuid: 1, Uids: []uint32{1, 2}, Weights: []uint32{30000, 65535}})
	if len(epoch.Weights(h.app.tree, 1, 1)) == 0 || len(epoch.Weights(h.app.tree, 1, 0)) != 2 {
		t.Fatal("weights not set")
	}

	// The next registration replaces uid 1: lowest emission among the non-owner uids.
	choice, err := neurons.NeuronToPrune(h.app.tree, mustSubnet(t, h, 1), subnets.Hyper(h.app.tree, 1), uint64(h.height+1))
	if err != nil || choice.UID != 1 {
		t.Fatalf("prune choice %+v %v, want uid 1", choice, err)
	}
	h.ok(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(3).SS58()})
	at := uint64(h.height)
	if n, _ := neurons.Get(h.app.tree, 1, 1); n.Hotkey != keyN(3).Public() || n.RegisteredAt != at || n.Emission != 0 {
		t.Fatalf("uid 1 after replacement: %+v", n)
	}
	if _, ok := neurons.UID(h.app.tree, 1, old.Public()); ok {
		t.Error("old hotkey still has a uid")
	}
	if _, ok := neurons.Axon(h.app.tree, 1, old.Public()); ok {
		t.Error("old hotkey's axon kept")
	}
	if _, ok := neurons.Prometheus(h.app.tree, 1, old.Public()); ok {
		t.Error("old hotkey's prometheus endpoint kept")
	}
	if _, ok := neurons.GetCommitment(h.app.tree, 1, old.Public()); ok {
		t.Error("old hotkey's commitment kept")
	}
	if row := epoch.Weights(h.app.tree, 1, 1); len(row) != 0 {
		t.Errorf("uid 1's weight row kept: %v", row)
	}
	if row := epoch.Bonds(h.app.tree, 1, 1); len(row) != 0 {
		t.Errorf("uid 1's bond row kept: %v", row)
	}
	want := yuma.Row{{UID: 1, Value: 0}, {UID: 2, Value: 65535}}
	if row := epoch.Weights(h.app.tree, 1, 0); fmt.Sprint(row) != fmt.Sprint(want) {
		t.Errorf("owner's weights after uid 1 was replaced: %v, want %v", row, want)
	}
	if lu := epoch.LastUpdate(h.app.tree, 1, 1); lu != at {
		t.Errorf("uid 1 last update %d, want the registration block %d", lu, at)
	}
	if got := staking.Stake(h.app.tree, old.Public(), 1, alice.Public()); got < stake {
		t.Errorf("old hotkey's stake %d, was %d: replacement must not touch stake", got, stake)
	}
	if pools.Get(h.app.tree, 1).TAO == 0 {
		t.Fatal("pool emptied")
	}
}

// TestDissolveRefundsAlphaHolders dissolves a subnet with two stakers and checks
// §3.1 as CHAIN-SPEC takes it: the pool's TAO goes to the alpha holders pro rata by
// alpha, credited to their coldkeys, and their stake on the subnet is gone.
func TestDissolveRefundsAlphaHolders(t *testing.T) {
	h := stakingHarness(t, 1)
	alice, bob, charlie := dev(t, "Alice"), dev(t, "Bob"), dev(t, "Charlie")
	hk := keyN(100)
	h.okc(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 1000 * balances.RAOPerTAO})
	h.okc(alice, &txpb.SudoSetBalance{Who: charlie.SS58(), Free: 1000 * balances.RAOPerTAO})
	h.okc(bob, &txpb.AddStake{Hotkey: hk.SS58(), Netuid: 1, Amount: 10 * balances.RAOPerTAO})
	h.okc(charlie, &txpb.AddStake{Hotkey: hk.SS58(), Netuid: 1, Amount: 30 * balances.RAOPerTAO})
	checkSupply(t, h)
	bobFree, charlieFree := h.free(bob), h.free(charlie)

	r := h.block(h.sign(alice, h.nonce(alice), call(&txpb.SudoDissolveNetwork{Netuid: 1})))[0]
	if r.Code != 0 {
		t.Fatal(r.Log)
	}
	ev := map[string]string{}
	for _, e := range r.Events {
		if e.Type == subnets.EventNetworkRemoved {
			for _, a := range e.Attributes {
				ev[a.Key] = a.Value
			}
		}
	}
	refB, refC := h.free(bob)-bobFree, h.free(charlie)-charlieFree
	if ev["stakers"] != "2" || ev["tao_refunded"] != fmt.Sprint(refB+refC) {
		t.Fatalf("NetworkRemoved %v; bob got %d, charlie %d", ev, refB, refC)
	}
	// Charlie bought three times Bob's alpha (a little less: his buy came later, at a
	// higher price), so he gets close to three times Bob's refund, and each at least
	// most of what he paid.
	if refB < 9*balances.RAOPerTAO || refC < 27*balances.RAOPerTAO || refC > 3*refB {
		t.Fatalf("refunds: bob %d, charlie %d", refB, refC)
	}
	if staking.Stake(h.app.tree, hk.Public(), 1, bob.Public()) != 0 || staking.Stake(h.app.tree, hk.Public(), 1, charlie.Public()) != 0 {
		t.Fatal("stake on the dissolved subnet kept")
	}
	if subnets.Exists(h.app.tree, 1) {
		t.Fatal("subnet kept")
	}
	checkSupply(t, h)
}

// TestSubnetLimitPrunesLowestEMAPrice fills the subnet limit and checks that a new
// subnet replaces the non-immune subnet with the lowest EMA price (§3.1 step 5), here
// not the earliest registered one, and that an immune subnet with a lower price is
// skipped.
func TestSubnetLimitPrunesLowestEMAPrice(t *testing.T) {
	h := newHarness(t)
	alice := dev(t, "Alice")
	h.ok(alice, &txpb.SudoSetBalance{Who: alice.SS58(), Free: 1_000_000 * balances.RAOPerTAO})
	h.ok(alice, &txpb.SudoSetParameter{Name: "subnet_limit", Value: 3})
	h.ok(alice, &txpb.SudoSetParameter{Name: "network_immunity_period", Value: 30})
	create := func(i int) {
		h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(i).SS58()})
		h.ok(alice, &txpb.StartCall{Netuid: uint32(i)})
	}
	create(1)
	create(2)
	for i := 0; i < 10; i++ {
		h.block()
	}
	create(3)
	// The EMA price of a younger subnet moves more slowly from 0 toward its price.
	for uint64(h.height+1) < mustSubnet(t, h, 2).RegisteredAt+30 {
		h.block()
	}
	next := uint64(h.height + 1)
	if next >= mustSubnet(t, h, 3).RegisteredAt+30 {
		t.Fatal("subnet 3 is no longer immune: the test's timing is off")
	}
	ema := func(n uint16) pools.Price { return pools.Get(h.app.tree, n).MovingPrice }
	if !(ema(3).Cmp(ema(2)) < 0 && ema(2).Cmp(ema(1)) < 0) {
		t.Fatalf("EMA prices %v, %v, %v: want 3 < 2 < 1", ema(1).Fixed(), ema(2).Fixed(), ema(3).Fixed())
	}
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(4).SS58()})
	for n, hk := range map[uint16]int{1: 1, 2: 4, 3: 3} {
		if s := mustSubnet(t, h, n); s.OwnerHotkey != keyN(hk).Public() {
			t.Errorf("subnet %d owner hotkey %s, want keyN(%d): the pruned subnet should be 2", n, s.OwnerHotkey.SS58(), hk)
		}
	}
}

// TestLockCostDecaysFasterAfterHalving checks §3.1's R = lock_reduction_interval ×
// block_emission / 1 TAO: past the first halving the lock decays over half as many
// blocks.
func TestLockCostDecaysFasterAfterHalving(t *testing.T) {
	h := newHarness(t)
	alice := dev(t, "Alice")
	h.ok(alice, &txpb.SudoSetBalance{Who: alice.SS58(), Free: 11_000_000 * balances.RAOPerTAO}) // past 10.5M issued
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(1).SS58()})
	first := uint64(h.height)
	for i := 0; i < 5; i++ {
		h.block()
	}
	p := subnets.GetParams(h.app.tree)
	last := p.NetworkMinLockCost
	r := p.NetworkLockReductionInterval / 2 // block emission 0.5 TAO
	var lc api.LockCost
	h.query(api.PathLockCost, &lc)
	if want := 2*last - (last/r)*(uint64(h.height)+1-first); lc.LockCost != want {
		t.Fatalf("lock cost %d, want %d (R = %d after the halving)", lc.LockCost, want, r)
	}
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(2).SS58()})
	if s := mustSubnet(t, h, 2); s.Locked != lc.LockCost {
		t.Fatalf("locked %d, lock-cost query said %d", s.Locked, lc.LockCost)
	}
}
