package app

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/governance"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/pools"
	"github.com/gotensor/gotensor/chain/registration"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

func call(c any) *txpb.Call {
	switch v := c.(type) {
	case *txpb.RegisterNetwork:
		return &txpb.Call{Call: &txpb.Call_RegisterNetwork{RegisterNetwork: v}}
	case *txpb.StartCall:
		return &txpb.Call{Call: &txpb.Call_StartCall{StartCall: v}}
	case *txpb.BurnedRegister:
		return &txpb.Call{Call: &txpb.Call_BurnedRegister{BurnedRegister: v}}
	case *txpb.RegisterLimit:
		return &txpb.Call{Call: &txpb.Call_RegisterLimit{RegisterLimit: v}}
	case *txpb.ServeAxon:
		return &txpb.Call{Call: &txpb.Call_ServeAxon{ServeAxon: v}}
	case *txpb.ServePrometheus:
		return &txpb.Call{Call: &txpb.Call_ServePrometheus{ServePrometheus: v}}
	case *txpb.SetIdentity:
		return &txpb.Call{Call: &txpb.Call_SetIdentity{SetIdentity: v}}
	case *txpb.SetHyperparameter:
		return &txpb.Call{Call: &txpb.Call_SetHyperparameter{SetHyperparameter: v}}
	case *txpb.SudoSetParameter:
		return &txpb.Call{Call: &txpb.Call_SudoSetParameter{SudoSetParameter: v}}
	case *txpb.SetCommitment:
		return &txpb.Call{Call: &txpb.Call_SetCommitment{SetCommitment: v}}
	case *txpb.SetSubnetIdentity:
		return &txpb.Call{Call: &txpb.Call_SetSubnetIdentity{SetSubnetIdentity: v}}
	case *txpb.SudoDissolveNetwork:
		return &txpb.Call{Call: &txpb.Call_SudoDissolveNetwork{SudoDissolveNetwork: v}}
	case *txpb.SudoSetBalance:
		return &txpb.Call{Call: &txpb.Call_SudoSetBalance{SudoSetBalance: v}}
	case *txpb.SetWeights:
		return &txpb.Call{Call: &txpb.Call_SetWeights{SetWeights: v}}
	case *txpb.SudoSetSafeMode:
		return &txpb.Call{Call: &txpb.Call_SudoSetSafeMode{SudoSetSafeMode: v}}
	case *txpb.CommitWeights:
		return &txpb.Call{Call: &txpb.Call_CommitWeights{CommitWeights: v}}
	case *txpb.RevealWeights:
		return &txpb.Call{Call: &txpb.Call_RevealWeights{RevealWeights: v}}
	case *txpb.BatchSetWeights:
		return &txpb.Call{Call: &txpb.Call_BatchSetWeights{BatchSetWeights: v}}
	case *txpb.BatchCommitWeights:
		return &txpb.Call{Call: &txpb.Call_BatchCommitWeights{BatchCommitWeights: v}}
	case *txpb.BatchRevealWeights:
		return &txpb.Call{Call: &txpb.Call_BatchRevealWeights{BatchRevealWeights: v}}
	case *txpb.SetTempo:
		return &txpb.Call{Call: &txpb.Call_SetTempo{SetTempo: v}}
	case *txpb.TriggerEpoch:
		return &txpb.Call{Call: &txpb.Call_TriggerEpoch{TriggerEpoch: v}}
	}
	panic(fmt.Sprintf("call %T", c))
}

// run signs and executes one call in its own block, returning its result.
func (h *harness) run(kp *keys.Keypair, c any) *abci.ExecTxResult {
	h.t.Helper()
	n := h.nonce(kp)
	return h.block(h.sign(kp, n, call(c)))[0]
}

func (h *harness) ok(kp *keys.Keypair, c any) {
	h.t.Helper()
	if r := h.run(kp, c); r.Code != 0 {
		h.t.Fatalf("%T: %s", c, r.Log)
	}
}

func (h *harness) fails(kp *keys.Keypair, c any, want *errs.Error) string {
	h.t.Helper()
	r := h.run(kp, c)
	if r.Code == 0 {
		h.t.Fatalf("%T succeeded, want %s", c, want.Name)
	}
	if got, _ := errs.Lookup(r.Codespace, r.Code); got != want {
		h.t.Fatalf("%T: %s/%d %q, want %s", c, r.Codespace, r.Code, r.Log, want.Name)
	}
	return r.Log
}

func (h *harness) query(path string, out any) {
	h.t.Helper()
	r, err := h.app.Query(context.Background(), &abci.QueryRequest{Path: path})
	if err != nil || r.Code != 0 {
		h.t.Fatalf("query %s: %v %s", path, err, r.Log)
	}
	if err := json.Unmarshal(r.Value, out); err != nil {
		h.t.Fatal(err)
	}
}

func keyN(i int) *keys.Keypair {
	var seed [32]byte
	copy(seed[:], "hotkey")
	binary.BigEndian.PutUint32(seed[28:], uint32(i))
	kp, _ := keys.FromSeed(seed)
	return kp
}

func TestRegisterNetworkLockCostAndStart(t *testing.T) {
	h := newHarness(t)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	h.ok(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 100_000 * balances.RAOPerTAO})
	p := subnets.GetParams(h.app.tree)

	// Lock cost: first registration pays the minimum, then it doubles and
	// decays linearly over the reduction interval (§3.1).
	var lc api.LockCost
	h.query(api.PathLockCost, &lc)
	if lc.LockCost != p.NetworkMinLockCost {
		t.Fatalf("first lock cost %d, want the minimum %d", lc.LockCost, p.NetworkMinLockCost)
	}
	before := h.free(bob)
	h.ok(bob, &txpb.RegisterNetwork{Hotkey: keyN(1).SS58(), Identity: &txpb.SubnetIdentity{SubnetName: "alpha"}})
	firstAt := uint64(h.height)
	var s api.Subnet
	h.query("/subnets/1", &s)
	if s.Owner != bob.SS58() || s.OwnerHotkey != keyN(1).SS58() || s.Neurons != 1 || s.Identity == nil || s.Identity.SubnetName != "alpha" {
		t.Fatalf("subnet: %+v", s)
	}
	if s.Pool.TAO != p.NetworkMinLockCost || s.Pool.AlphaIn != p.NetworkMinLockCost || s.Locked != p.NetworkMinLockCost {
		t.Fatalf("pool not seeded 1:1 from the lock: %+v", s.Pool)
	}
	if paid := before - h.free(bob); paid <= p.NetworkMinLockCost || paid > p.NetworkMinLockCost+balances.RAOPerTAO/100 {
		t.Fatalf("bob paid %d for a lock of %d", paid, p.NetworkMinLockCost)
	}
	for i := 0; i < 3; i++ {
		h.block()
	}
	h.query(api.PathLockCost, &lc)
	last := p.NetworkMinLockCost
	elapsed := uint64(h.height) + 1 - firstAt
	want := 2*last - (last/p.NetworkLockReductionInterval)*elapsed
	if lc.LockCost != want {
		t.Fatalf("lock cost after %d blocks %d, want %d", elapsed, lc.LockCost, want)
	}
	h.ok(bob, &txpb.RegisterNetwork{Hotkey: keyN(2).SS58()})
	h.query("/subnets/2", &s)
	if s.Locked != want {
		t.Fatalf("second subnet locked %d, want %d", s.Locked, want)
	}
	// Seeded at the median price of the existing pool.
	if s.Pool.Price != "1" {
		t.Fatalf("second pool price %s, want the existing median 1", s.Pool.Price)
	}

	// start_call: owner only, once.
	h.fails(alice, &txpb.StartCall{Netuid: 1}, subnets.ErrNotOwner)
	h.ok(bob, &txpb.StartCall{Netuid: 1})
	h.fails(bob, &txpb.StartCall{Netuid: 1}, subnets.ErrFirstEmissionAlreadySet)
	h.fails(bob, &txpb.StartCall{Netuid: 9}, subnets.ErrSubnetNotExists)
	h.fails(bob, &txpb.StartCall{Netuid: 0}, subnets.ErrNotPermittedOnRoot)
	h.query("/subnets/1", &s)
	if !s.Started || !s.SubtokenEnabled || !s.EmissionEnabled {
		t.Fatalf("after start_call: %+v", s)
	}

	// The hotkey of another coldkey cannot be used.
	h.fails(alice, &txpb.RegisterNetwork{Hotkey: keyN(1).SS58()}, neurons.ErrNonAssociatedColdKey)
	// Oversized identity.
	long := string(make([]byte, 257))
	h.fails(alice, &txpb.RegisterNetwork{Hotkey: keyN(50).SS58(), Identity: &txpb.SubnetIdentity{SubnetName: long}}, subnets.ErrInvalidIdentity)
	// Cannot afford.
	h.ok(alice, &txpb.SudoSetBalance{Who: dev(t, "Charlie").SS58(), Free: balances.RAOPerTAO})
	h.fails(dev(t, "Charlie"), &txpb.RegisterNetwork{Hotkey: keyN(51).SS58()}, subnets.ErrCannotAffordLockCost)
}

func TestNetworkRateLimitAndSubnetLimitPruning(t *testing.T) {
	h := newHarness(t)
	alice := dev(t, "Alice")
	h.ok(alice, &txpb.SudoSetBalance{Who: alice.SS58(), Free: 1_000_000 * balances.RAOPerTAO})
	h.ok(alice, &txpb.SudoSetParameter{Name: "network_rate_limit", Value: 5})
	h.ok(alice, &txpb.SudoSetParameter{Name: "subnet_limit", Value: 2})
	h.ok(alice, &txpb.SudoSetParameter{Name: "network_immunity_period", Value: 8})
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(1).SS58()})
	log := h.fails(alice, &txpb.RegisterNetwork{Hotkey: keyN(2).SS58()}, subnets.ErrNetworkTxRateLimitExceeded)
	if want := fmt.Sprintf("next allowed at block %d", h.height-1+5); !contains([]byte(log), want) {
		t.Fatalf("%q does not name %q", log, want)
	}
	for i := 0; i < 5; i++ {
		h.block()
	}
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(2).SS58()})
	for i := 0; i < 5; i++ {
		h.block()
	}
	// At the limit with subnet 2 still immune and subnet 1 not: 1 is pruned
	// and its netuid reused.
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(3).SS58()})
	var s api.Subnet
	h.query("/subnets/1", &s)
	if s.OwnerHotkey != keyN(3).SS58() {
		t.Fatalf("netuid 1 not reused by the new subnet: %+v", s)
	}
	for i := 0; i < 5; i++ {
		h.block()
	}
	h.ok(alice, &txpb.SudoSetParameter{Name: "network_immunity_period", Value: 1000})
	h.fails(alice, &txpb.RegisterNetwork{Hotkey: keyN(4).SS58()}, subnets.ErrSubnetLimitReached)
}

func TestBurnedRegistrationPriceAndReplacement(t *testing.T) {
	h := newHarness(t)
	alice := dev(t, "Alice")
	h.ok(alice, &txpb.SudoSetBalance{Who: alice.SS58(), Free: 1_000_000 * balances.RAOPerTAO})
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(0).SS58()})
	hp := subnets.Hyper(h.app.tree, 1)
	// A small subnet with cheap, fast registration.
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "max_allowed_validators", Value: 8})
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "min_allowed_uids", Value: 1})
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "max_allowed_uids", Value: 8})
	h.ok(alice, &txpb.SudoSetParameter{Name: "owner_hparam_rate_limit", Value: 0})
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "immunity_period", Value: 3})
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "min_non_immune_uids", Value: 2})

	// Burn: ×1.26 per registration, then decays by the half-life factor per block.
	b0 := subnets.Burn(h.app.tree, 1).Burn
	raw := h.sign(alice, h.nonce(alice), call(&txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(1).SS58()}))
	freeBefore := h.free(alice)
	poolBefore := pools.Get(h.app.tree, 1)
	res := h.block(raw)
	if res[0].Code != 0 {
		t.Fatal(res[0].Log)
	}
	decay := subnets.DecayFactorQ32(hp.BurnHalfLife)
	priced := (b0 * decay) >> 32 // decayed at the start of the registration block
	if got := freeBefore - h.free(alice) - fee(h, raw); got != priced {
		t.Fatalf("registration cost %d, want the decayed burn %d", got, priced)
	}
	poolAfter := pools.Get(h.app.tree, 1)
	if poolAfter.TAO <= poolBefore.TAO || poolAfter.AlphaIn >= poolBefore.AlphaIn || poolAfter.AlphaOut != 0 {
		t.Fatalf("burn did not buy and burn alpha: %+v -> %+v", poolBefore, poolAfter)
	}
	bumped := priced * 1_260_000 / 1_000_000
	if got := subnets.Burn(h.app.tree, 1).Burn; got != bumped {
		t.Fatalf("burn after registration %d, want %d", got, bumped)
	}
	h.block()
	if got := subnets.Burn(h.app.tree, 1).Burn; got != (bumped*decay)>>32 {
		t.Fatalf("burn after a block %d, want %d", got, (bumped*decay)>>32)
	}

	// limit price and duplicates.
	h.fails(alice, &txpb.RegisterLimit{Netuid: 1, Hotkey: keyN(2).SS58(), LimitPrice: 1}, registration.ErrRegistrationPriceLimitExceeded)
	h.fails(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(1).SS58()}, neurons.ErrHotKeyAlreadyRegistered)
	h.fails(alice, &txpb.BurnedRegister{Netuid: 0, Hotkey: keyN(2).SS58()}, registration.ErrRegistrationNotPermittedOnRootSubnet)
	h.fails(alice, &txpb.BurnedRegister{Netuid: 7, Hotkey: keyN(2).SS58()}, subnets.ErrSubnetNotExists)
	h.ok(alice, &txpb.SudoSetBalance{Who: dev(t, "Eve").SS58(), Free: balances.RAOPerTAO / 1000})
	h.fails(dev(t, "Eve"), &txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(2).SS58()}, registration.ErrNotEnoughBalanceToStake)

	// Fill to 8 uids, then each registration replaces the lowest-emission
	// non-immune uid, earliest registered first; uid 0 (owner) never.
	for i := 2; i <= 7; i++ {
		h.ok(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(i).SS58()})
	}
	if neurons.Count(h.app.tree, 1) != 8 {
		t.Fatalf("count %d", neurons.Count(h.app.tree, 1))
	}
	for i := 0; i < 4; i++ {
		h.block()
	}
	choice, err := neurons.NeuronToPrune(h.app.tree, mustSubnet(t, h, 1), subnets.Hyper(h.app.tree, 1), uint64(h.height+1))
	if err != nil || choice.UID != 1 || choice.Immune {
		t.Fatalf("prune choice %+v %v", choice, err)
	}
	h.ok(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(100).SS58()})
	if n, _ := neurons.Get(h.app.tree, 1, 1); n.Hotkey != keyN(100).Public() {
		t.Fatalf("uid 1 not replaced: %+v", n)
	}
	if _, ok := neurons.UID(h.app.tree, 1, keyN(1).Public()); ok {
		t.Fatal("replaced hotkey still mapped")
	}
	if _, ok := neurons.UID(h.app.tree, 1, keyN(0).Public()); !ok {
		t.Fatal("owner hotkey was pruned")
	}

	// A full subnet where every other uid is immune and min_non_immune is
	// not met takes the immune one; with all immortal it refuses.
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "immunity_period", Value: 1000})
	h.ok(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(101).SS58()})
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "owner_immune_neuron_limit", Value: 10})
	h.fails(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(102).SS58()}, neurons.ErrNoNeuronIdAvailable)
}

func mustSubnet(t *testing.T, h *harness, n uint16) subnets.Subnet {
	s, ok := subnets.Get(h.app.tree, n)
	if !ok {
		t.Fatalf("no subnet %d", n)
	}
	return s
}

func TestHyperparametersOwnerAndSudo(t *testing.T) {
	h := newHarness(t)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	h.ok(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 10_000 * balances.RAOPerTAO})
	h.ok(bob, &txpb.RegisterNetwork{Hotkey: keyN(1).SS58()})
	h.ok(bob, &txpb.SetHyperparameter{Netuid: 1, Name: "immunity_period", Value: 77})
	log := h.fails(bob, &txpb.SetHyperparameter{Netuid: 1, Name: "immunity_period", Value: 78}, subnets.ErrOwnerRateLimited)
	if !contains([]byte(log), "next allowed at block") {
		t.Fatalf("rate limit error %q names no block", log)
	}
	h.fails(bob, &txpb.SetHyperparameter{Netuid: 1, Name: "kappa", Value: 1}, subnets.ErrSudoOnly)
	h.fails(bob, &txpb.SetHyperparameter{Netuid: 1, Name: "bonds_moving_average", Value: 980_000}, subnets.ErrValueNotInBounds)
	h.fails(bob, &txpb.SetHyperparameter{Netuid: 1, Name: "no_such", Value: 1}, subnets.ErrUnknownParameter)
	h.ok(alice, &txpb.SudoSetBalance{Who: dev(t, "Charlie").SS58(), Free: balances.RAOPerTAO})
	h.fails(dev(t, "Charlie"), &txpb.SetHyperparameter{Netuid: 1, Name: "rho", Value: 1}, subnets.ErrNotOwner)
	h.fails(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "max_allowed_validators", Value: 300}, subnets.ErrValueNotInBounds)
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "kappa", Value: 30000})
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "min_allowed_uids", Value: 16})
	h.fails(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "max_allowed_uids", Value: 16}, subnets.ErrMaxValidatorsLargerThanMaxUids)
	var hs []api.Hyperparameter
	h.query("/subnets/1/hyperparameters", &hs)
	got := map[string]uint64{}
	for _, x := range hs {
		got[x.Name] = x.Value
	}
	if got["immunity_period"] != 77 || got["kappa"] != 30000 {
		t.Fatalf("hyperparameters %v", got)
	}
	h.fails(bob, &txpb.SudoSetParameter{Name: "subnet_limit", Value: 3}, errs.BadOrigin)
	h.fails(alice, &txpb.SudoSetParameter{Name: "subnet_limit", Value: 0}, subnets.ErrValueNotInBounds)
}

func TestServeAxonAndCommitments(t *testing.T) {
	h := newHarness(t)
	alice := dev(t, "Alice")
	hk := keyN(1)
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(0).SS58()})
	h.ok(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: hk.SS58()})
	// The hotkey signs serve_axon; it is free, so an unfunded hotkey works.
	h.ok(hk, &txpb.ServeAxon{Netuid: 1, Version: 7, Ip: []byte{10, 1, 2, 3}, Port: 8091, IpType: 4, Protocol: 4})
	var n api.Neuron
	h.query("/subnets/1/neurons/1", &n)
	if n.Axon == nil || n.Axon.IP != "10.1.2.3" || n.Axon.Port != 8091 || n.Coldkey != alice.SS58() {
		t.Fatalf("neuron %+v", n)
	}
	for _, c := range []struct {
		a    *txpb.ServeAxon
		want *errs.Error
	}{
		{&txpb.ServeAxon{Netuid: 1, Ip: []byte{127, 0, 0, 1}, Port: 1, IpType: 4}, neurons.ErrInvalidIpAddress},
		{&txpb.ServeAxon{Netuid: 1, Ip: []byte{255, 255, 255, 255}, Port: 1, IpType: 4}, neurons.ErrInvalidIpAddress},
		{&txpb.ServeAxon{Netuid: 1, Ip: []byte{1, 2, 3, 4}, Port: 1, IpType: 6}, neurons.ErrInvalidIpType},
		{&txpb.ServeAxon{Netuid: 1, Ip: []byte{1, 2, 3, 4}, Port: 0, IpType: 4}, neurons.ErrInvalidPort},
		{&txpb.ServeAxon{Netuid: 1, Ip: []byte{1, 2, 3, 4}, Port: 70000, IpType: 4}, neurons.ErrInvalidPort},
		{&txpb.ServeAxon{Netuid: 2, Ip: []byte{1, 2, 3, 4}, Port: 1, IpType: 4}, subnets.ErrSubnetNotExists},
	} {
		h.fails(hk, c.a, c.want)
	}
	h.fails(keyN(9), &txpb.ServeAxon{Netuid: 1, Ip: []byte{1, 2, 3, 4}, Port: 1, IpType: 4}, neurons.ErrHotKeyNotRegisteredInNetwork)
	// Serving rate limit.
	h.ok(alice, &txpb.SetHyperparameter{Netuid: 1, Name: "serving_rate_limit", Value: 10})
	log := h.fails(hk, &txpb.ServeAxon{Netuid: 1, Ip: []byte{10, 1, 2, 4}, Port: 8091, IpType: 4}, neurons.ErrServingRateLimitExceeded)
	if !contains([]byte(log), "next allowed at block") {
		t.Fatal(log)
	}
	// Commitments (the hotkey pays a fee: fund it).
	h.ok(alice, &txpb.SudoSetBalance{Who: hk.SS58(), Free: balances.RAOPerTAO})
	h.ok(hk, &txpb.SetCommitment{Netuid: 1, Data: []byte("model sha256:abc")})
	var cs []api.Commitment
	h.query("/subnets/1/commitments", &cs)
	if len(cs) != 1 || string(cs[0].Data) != "model sha256:abc" {
		t.Fatalf("commitments %+v", cs)
	}
	h.fails(hk, &txpb.SetCommitment{Netuid: 1, Data: make([]byte, 1025)}, neurons.ErrCommitmentTooLarge)
}

func TestDissolveRemovesSubnetAndKeepsSupplyConsistent(t *testing.T) {
	h := newHarness(t)
	alice := dev(t, "Alice")
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(0).SS58()})
	h.ok(alice, &txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(1).SS58()})
	checkSupply(t, h)
	h.fails(dev(t, "Bob"), &txpb.SudoDissolveNetwork{Netuid: 1}, errs.BadOrigin)
	h.ok(alice, &txpb.SudoDissolveNetwork{Netuid: 1})
	if subnets.Exists(h.app.tree, 1) || neurons.Count(h.app.tree, 1) != 0 || pools.Get(h.app.tree, 1).TAO != 0 {
		t.Fatal("subnet state left behind")
	}
	checkSupply(t, h)
}

// checkSupply asserts CHAIN-SPEC's issuance invariant for what exists so
// far: free balances plus pool TAO equal total issuance.
func checkSupply(t *testing.T, h *harness) {
	t.Helper()
	var sum uint64
	balances.IterateAccounts(h.app.tree, nil, func(a balances.Account) bool { sum += a.Free; return true })
	sum += pools.TotalTAO(h.app.tree) + governance.Locked(h.app.tree)
	if iss := balances.TotalIssuance(h.app.tree); sum != iss {
		t.Fatalf("balances + pools = %d, total issuance %d", sum, iss)
	}
}

// The mempool's view is one block behind block execution: a registration
// checked right after a full block must see the next block's fresh count
// and decayed price, not the last block's.
func TestMempoolSeesNextBlocksRegistrationCount(t *testing.T) {
	h := newHarness(t)
	alice := dev(t, "Alice")
	h.ok(alice, &txpb.RegisterNetwork{Hotkey: keyN(0).SS58()})
	max := subnets.Hyper(h.app.tree, 1).MaxRegistrationsPerBlock
	var txs [][]byte
	n := h.nonce(alice)
	for i := uint64(0); i < max; i++ {
		txs = append(txs, h.sign(alice, n+i, call(&txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(int(10 + i)).SS58()})))
	}
	for _, r := range h.block(txs...) {
		if r.Code != 0 {
			t.Fatal(r.Log)
		}
	}
	if r := h.check(h.sign(alice, h.nonce(alice), call(&txpb.BurnedRegister{Netuid: 1, Hotkey: keyN(99).SS58()}))); r.Code != 0 {
		t.Fatalf("registration refused by the mempool after a full block: %s", r.Log)
	}
}
