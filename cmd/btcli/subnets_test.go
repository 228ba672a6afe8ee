package main

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/neurons"
	"github.com/gotensor/gotensor/chain/registration"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/node/nodetest"
)

const tao = raoPerTAO

// chainCLI runs btcli against one test node with named dev wallets.
type chainCLI struct {
	*cli
	n *nodetest.Node
}

func startChainCLI(t *testing.T) *chainCLI {
	t.Helper()
	return &chainCLI{cli: newCLI(t), n: nodetest.Start(t, nodetest.Options{})}
}

// wallet writes wallet name with coldkey coldURI and its default hotkey hotURI.
func (c *chainCLI) wallet(name, coldURI, hotURI string) {
	c.t.Helper()
	var k keyJSON
	c.ok(&k, "--wallet.name", name, "wallet", "regen_coldkey", "--uri", coldURI, "--no-password")
	c.ok(&k, "--wallet.name", name, "wallet", "regen_hotkey", "--uri", hotURI, "--no-password")
}

// as returns the arguments to run a command with wallet name on the node.
func (c *chainCLI) as(name string, args ...string) []string {
	return append([]string{"--chain-endpoint", c.n.RPC, "--wallet.name", name}, args...)
}

func (c *chainCLI) dial() *client.Client {
	c.t.Helper()
	cl, err := client.Dial(c.t.Context(), client.Config{Endpoints: []string{c.n.RPC}})
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { cl.Close() })
	return cl
}

func ss58(t *testing.T, uri string) string {
	t.Helper()
	kp, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return kp.SS58()
}

// failsWith runs a command that must fail with code and a message containing each want.
func (c *chainCLI) failsWith(code int, want []string, args ...string) {
	c.t.Helper()
	msg := c.fails(code, args...)
	for _, w := range want {
		if !strings.Contains(msg, w) {
			c.t.Errorf("btcli %v: %q does not mention %q", args[4:], msg, w)
		}
	}
}

// TestEventNames keeps the CLI's event names equal to the chain's.
func TestEventNames(t *testing.T) {
	for _, p := range [][2]string{
		{evNetworkAdded, subnets.EventNetworkAdded}, {evNetworkRemoved, subnets.EventNetworkRemoved},
		{evStartCalled, subnets.EventStartCalled}, {evHyperparameterSet, subnets.EventHyperparameterSet},
		{evParameterSet, subnets.EventParameterSet}, {evBurned, registration.EventBurned},
		{evNeuronReplaced, neurons.EventNeuronReplaced}, {evAxonServed, neurons.EventAxonServed},
	} {
		if p[0] != p[1] {
			t.Errorf("CLI event %q, chain %q", p[0], p[1])
		}
	}
	if maxCommitment != neurons.MaxCommitment {
		t.Errorf("maxCommitment %d, chain %d", maxCommitment, neurons.MaxCommitment)
	}
}

// TestSubnetLifecycle drives a subnet's life through the CLI against a real node:
// create with identity, start, list/show/hyperparameters, owner and sudo settings,
// registration, axons, commitments, identities, dissolve; and the bad input of each.
func TestSubnetLifecycle(t *testing.T) {
	c := startChainCLI(t)
	c.wallet("alice", "//Alice", "//AliceHot") // sudo
	c.wallet("bob", "//Bob", "//BobHot")       // subnet owner
	c.wallet("charlie", "//Charlie", "//CharlieHot")
	c.wallet("nobody", "//Nobody", "//NobodyHot") // no TAO
	bob, bobHot := ss58(t, "//Bob"), ss58(t, "//BobHot")

	var lc lockCostResult
	c.ok(&lc, c.as("bob", "subnets", "lock-cost")...)
	if lc.LockCost != 100*tao || lc.ForBlock < 2 { // localnet minimum lock, nothing registered yet
		t.Fatalf("lock-cost: %+v", lc)
	}

	// Bad identity: refused before anything is signed.
	c.failsWith(ExitUsage, []string{"--subnet-name is 257 bytes", "limit is 256"},
		c.as("bob", "subnets", "create", "--subnet-name", strings.Repeat("x", 257))...)

	// Without --no-prompt the cost and fee come before the question; "n" submits nothing.
	r := c.runIn("n\n", c.as("bob", "subnets", "create", "--subnet-name", "bobnet")...)
	if r.code != ExitError || !regexp.MustCompile(`Lock cost: +τ100 `).MatchString(r.stderr) || !regexp.MustCompile(`Fee: +τ0\.000`).MatchString(r.stderr) ||
		!strings.Contains(r.stderr, `"bobnet"`) || !strings.Contains(r.stderr, "Do you want to create the subnet? (y/N)") ||
		!strings.Contains(r.stderr, "cancelled") {
		t.Fatalf("create, answering no: exit %d\n%s", r.code, r.stderr)
	}

	// With --json but no --no-prompt the facts still come (on stderr) before the question.
	r = c.runIn("n\n", c.as("bob", "subnets", "create", "--json")...)
	if r.code != ExitError || !strings.Contains(r.stderr, "Lock cost:") || !strings.Contains(r.stdout, "cancelled") {
		t.Fatalf("create --json, answering no: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	c.failsWith(ExitError, []string{"cannot cover the lock cost τ100"}, c.as("nobody", "subnets", "create")...)

	var cr createResult
	c.ok(&cr, c.as("bob", "subnets", "create", "--subnet-name", "bobnet", "--github-repo", "https://github.com/bob/bobnet",
		"--discord-handle", "bob#1")...)
	if cr.Netuid != 1 || cr.Owner != bob || cr.OwnerHotkey != bobHot || cr.Lock != 100*tao || cr.Block == 0 || cr.Fee == 0 {
		t.Fatalf("create: %+v", cr)
	}
	if cr.Balance != 1_000_000*tao-cr.Lock-cr.Fee {
		t.Fatalf("balance after create %d, want %d", cr.Balance, 1_000_000*tao-cr.Lock-cr.Fee)
	}

	// The burn starts at 1 TAO and decays every block (half-life 100 on localnet).
	var list struct{ Subnets []api.Subnet }
	c.ok(&list, c.as("bob", "subnets", "list")...)
	if len(list.Subnets) != 2 || list.Subnets[0].Netuid != 0 {
		t.Fatalf("list: %+v", list)
	}
	s := list.Subnets[1]
	if s.Netuid != 1 || s.Owner != bob || s.OwnerHotkey != bobHot || s.Neurons != 1 || s.MaxAllowedUids != 256 || s.Started ||
		s.Burn > 1*tao || s.Burn < 9*tao/10 || s.Pool.TAO != cr.Lock || s.Identity == nil || s.Identity.SubnetName != "bobnet" || s.Identity.Discord != "bob#1" {
		t.Fatalf("list subnet 1: %+v", s)
	}
	r = c.run(c.as("bob", "subnets", "list")...)
	if r.code != 0 || !strings.Contains(r.stdout, "bobnet") || !strings.Contains(r.stdout, "1/256") {
		t.Errorf("list table:\n%s%s", r.stdout, r.stderr)
	}

	// Only the owner starts it, once.
	c.failsWith(ExitError, []string{"NotSubnetOwner", bob}, c.as("charlie", "subnets", "start", "--netuid", "1")...)
	var st startResult
	c.ok(&st, c.as("bob", "subnets", "start", "--netuid", "1")...)
	if st.FirstEmissionBlock != uint64(st.Block)+1 {
		t.Fatalf("start: %+v", st)
	}
	c.failsWith(ExitError, []string{"already started"}, c.as("bob", "subnets", "start", "--netuid", "1")...)

	var show struct {
		Subnet  api.Subnet
		Neurons []api.Neuron
	}
	c.ok(&show, c.as("bob", "subnets", "show", "--netuid", "1")...)
	if !show.Subnet.Started || len(show.Neurons) != 1 || show.Neurons[0].UID != 0 || show.Neurons[0].Hotkey != bobHot ||
		show.Neurons[0].Coldkey != bob || !show.Neurons[0].Immune {
		t.Fatalf("show: %+v", show)
	}
	// The only emitting subnet gets the whole block emission (1 TAO before the first halving).
	if show.Subnet.TAOEmissionPerBlock != 1_000_000_000 || show.Subnet.AlphaEmissionPerBlock == 0 {
		t.Fatalf("emission per block: %d TAO, %d alpha", show.Subnet.TAOEmissionPerBlock, show.Subnet.AlphaEmissionPerBlock)
	}

	var hp hyperparamsResult
	c.ok(&hp, c.as("bob", "subnets", "hyperparameters", "--netuid", "1")...)
	want := map[string]struct {
		v     uint64
		owner bool
	}{"tempo": {20, false}, "immunity_period": {100, true}, "max_registrations_per_block": {4, false}, "burn_half_life": {100, true}}
	for _, h := range hp.Hyperparameters {
		if w, ok := want[h.Name]; ok {
			if h.Value != w.v || h.OwnerSettable != w.owner || h.Max < h.Min {
				t.Errorf("hyperparameter %+v, want %+v", h, w)
			}
			delete(want, h.Name)
		}
	}
	if len(want) > 0 || hp.Netuid != 1 {
		t.Errorf("hyperparameters missing %v", want)
	}
	r = c.run(c.as("bob", "subnets", "hyperparameters", "--netuid", "1")...)
	if r.code != 0 || !strings.Contains(r.stdout, "immunity_period") || !strings.Contains(r.stdout, "owner, sudo") {
		t.Errorf("hyperparameters table:\n%s%s", r.stdout, r.stderr)
	}
	var gp networkParamsResult
	c.ok(&gp, c.as("bob", "sudo", "get")...)
	if p, ok := findParam(gp.Parameters, "network_rate_limit"); gp.Sudo != ss58(t, "//Alice") || !ok || p.Value != 1 {
		t.Errorf("sudo get: %+v", gp)
	}

	// Hyperparameters: owner (rate-limited), sudo (not), and the refusals.
	var set sudoSetResult
	c.ok(&set, c.as("bob", "sudo", "set", "--netuid", "1", "--param", "immunity_period", "--value", "50")...)
	if set.As != "owner" || set.Old != 100 || set.Value != 50 {
		t.Fatalf("owner set: %+v", set)
	}
	// weights_version_key has its own owner limit: 5 tempos (§15).
	r = c.runIn("n\n", c.as("bob", "sudo", "set", "--netuid", "1", "--param", "weights_version_key", "--value", "3")...)
	if !strings.Contains(r.stderr, "the next change of weights_version_key is allowed 100 blocks later") {
		t.Errorf("owner weights_version_key preview:\n%s", r.stderr)
	}
	c.failsWith(ExitError, []string{"TxRateLimitExceeded", "immunity_period next allowed at block"},
		c.as("bob", "sudo", "set", "--netuid", "1", "--param", "immunity_period", "--value", "40")...)
	c.ok(&set, c.as("alice", "sudo", "set", "--netuid", "1", "--param", "immunity_period", "--value", "40")...)
	if set.As != "sudo" || set.Value != 40 {
		t.Fatalf("sudo set: %+v", set)
	}
	c.ok(&set, c.as("alice", "sudo", "set", "--netuid", "1", "--param", "commit_reveal_weights_enabled", "--value", "true")...)
	if set.Value != 1 {
		t.Fatalf("boolean set: %+v", set)
	}
	var gset sudoSetResult
	c.ok(&gset, c.as("alice", "sudo", "set", "--param", "commitment_rate_limit", "--value", "2")...)
	if gset.Netuid != nil || gset.Value != 2 || gset.Old != 1 {
		t.Fatalf("global set: %+v", gset)
	}
	for _, tc := range []struct {
		wallet string
		args   []string
		code   int
		want   []string
	}{
		{"charlie", []string{"--netuid", "1", "--param", "immunity_period", "--value", "5"}, ExitError, []string{"NotSubnetOwner", bob}},
		{"bob", []string{"--netuid", "1", "--param", "tempo", "--value", "30"}, ExitError, []string{"BadOrigin", "sudo only", "immunity_period"}},
		{"bob", []string{"--netuid", "1", "--param", "immunity_period", "--value", "70000"}, ExitUsage, []string{"ValueNotInBounds", "allowed 0..65535"}},
		{"alice", []string{"--netuid", "1", "--param", "max_burn", "--value", "1"}, ExitUsage, []string{"ValueNotInBounds"}},
		{"bob", []string{"--netuid", "1", "--param", "no_such", "--value", "1"}, ExitUsage, []string{"unknown parameter", "immunity_period"}},
		{"bob", []string{"--netuid", "1", "--param", "tempo", "--value", "true"}, ExitUsage, []string{"not a boolean"}},
		{"bob", []string{"--netuid", "1", "--param", "tempo", "--value", "1.5"}, ExitUsage, []string{"whole number"}},
		{"bob", []string{"--param", "subnet_limit", "--value", "5"}, ExitError, []string{"BadOrigin", "sudo key"}},
		{"alice", []string{"--param", "immunity_period", "--value", "5"}, ExitUsage, []string{"unknown parameter", "--netuid"}},
		{"alice", []string{"--netuid", "99", "--param", "tempo", "--value", "5"}, ExitError, []string{"subnet 99 does not exist"}},
		{"alice", []string{"--netuid", "1", "--param", "tempo"}, ExitUsage, []string{"--value"}},
		{"bob", []string{"--netuid", "0", "--param", "tempo", "--value", "5"}, ExitError, []string{"NotPermittedOnRootSubnet"}},
	} {
		c.failsWith(tc.code, tc.want, c.as(tc.wallet, append([]string{"sudo", "set"}, tc.args...)...)...)
	}

	// Registration: the wallet's hotkey, paid by its coldkey.
	var bc burnCostResult
	c.ok(&bc, c.as("charlie", "subnets", "burn-cost", "--netuid", "1")...)
	if bc.Burn == 0 || bc.Burn > 1*tao {
		t.Fatalf("burn-cost: %+v", bc)
	}
	var reg registerResult
	c.ok(&reg, c.as("charlie", "subnets", "register", "--netuid", "1")...)
	if reg.UID != 1 || reg.Hotkey != ss58(t, "//CharlieHot") || reg.Coldkey != ss58(t, "//Charlie") || reg.Cost == 0 || reg.Cost > bc.Burn || reg.Replaced != nil {
		t.Fatalf("register: %+v", reg)
	}
	if reg.Balance != 1_000_000*tao-reg.Cost-reg.Fee {
		t.Fatalf("balance after register %d, want %d", reg.Balance, 1_000_000*tao-reg.Cost-reg.Fee)
	}
	c.failsWith(ExitError, []string{"already uid 1 on subnet 1"}, c.as("charlie", "subnets", "register", "--netuid", "1")...)
	var k keyJSON
	c.ok(&k, "--wallet.name", "charlie", "--wallet.hotkey", "h2", "wallet", "new_hotkey", "--no-password")
	c.failsWith(ExitError, []string{"RegistrationPriceLimitExceeded", "--max-price τ0.000001"},
		c.as("charlie", "--wallet.hotkey", "h2", "subnets", "register", "--netuid", "1", "--max-price", "0.000001")...)
	c.ok(&reg, c.as("charlie", "--wallet.hotkey", "h2", "subnets", "register", "--netuid", "1", "--max-price", "10")...)
	if reg.UID != 2 || reg.Hotkey != k.SS58 {
		t.Fatalf("register with --max-price: %+v", reg)
	}
	c.failsWith(ExitError, []string{"cannot cover the registration price", "fund"}, c.as("nobody", "subnets", "register", "--netuid", "1")...)
	c.failsWith(ExitError, []string{"subnet 99 does not exist", "btcli subnets list"}, c.as("charlie", "subnets", "register", "--netuid", "99")...)
	c.failsWith(ExitUsage, []string{"--netuid is required"}, c.as("charlie", "subnets", "register")...)
	c.failsWith(ExitUsage, []string{"root network"}, c.as("charlie", "subnets", "register", "--netuid", "0")...)
	for _, sub := range []string{"show", "hyperparameters", "burn-cost", "commitments"} {
		c.failsWith(ExitError, []string{"subnet 99 does not exist"}, c.as("charlie", "subnets", sub, "--netuid", "99")...)
	}

	// Axons: IPv4 and IPv6, signed by the hotkey, free.
	var ax axonResult
	c.ok(&ax, c.as("bob", "axon", "serve", "--netuid", "1", "--ip", "203.0.113.7", "--port", "8091")...)
	if ax.Endpoint != "203.0.113.7:8091" || ax.IPType != 4 || ax.Protocol != 4 || ax.Hotkey != bobHot || ax.Block == 0 {
		t.Fatalf("axon serve: %+v", ax)
	}
	c.ok(&ax, c.as("charlie", "axon", "serve", "--netuid", "1", "--ip", "2001:db8::7", "--port", "8092", "--version", "901")...)
	if ax.Endpoint != "[2001:db8::7]:8092" || ax.IPType != 6 {
		t.Fatalf("axon serve v6: %+v", ax)
	}
	c.ok(&show, c.as("bob", "subnets", "show", "--netuid", "1")...)
	if a := show.Neurons[0].Axon; a == nil || a.IP != "203.0.113.7" || a.Port != 8091 || a.IPType != 4 {
		t.Errorf("uid 0 axon: %+v", a)
	}
	if a := show.Neurons[1].Axon; a == nil || netip.MustParseAddr(a.IP) != netip.MustParseAddr("2001:db8::7") || a.Port != 8092 || a.IPType != 6 || a.Version != 901 {
		t.Errorf("uid 1 axon: %+v", a)
	}
	r = c.run(c.as("bob", "subnets", "show", "--netuid", "1")...)
	if !strings.Contains(r.stdout, "203.0.113.7:8091") || !strings.Contains(r.stdout, "[2001:db8::7]:8092") || !strings.Contains(r.stdout, "Emission per block τ1 into the pool") {
		t.Errorf("show table:\n%s", r.stdout)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--ip", "1.2.3", "--port", "1"}, ExitUsage, "not an IPv4 or IPv6 address"},
		{[]string{"--ip", "203.0.113.7", "--port", "0"}, ExitUsage, "--port"},
		{[]string{"--ip", "203.0.113.7", "--port", "70000"}, ExitUsage, "--port 70000 is out of range: a port is 1..65535"},
		{[]string{"--ip", "127.0.0.1", "--port", "8091"}, ExitError, "InvalidIpAddress"},
		{[]string{"--ip", "255.255.255.255", "--port", "8091"}, ExitError, "InvalidIpAddress"},
		{[]string{"--ip", "::1", "--port", "8091"}, ExitError, "InvalidIpAddress"},
		{[]string{"--port", "8091"}, ExitUsage, "--ip is required"},
	} {
		c.failsWith(tc.code, []string{tc.want}, c.as("bob", append([]string{"axon", "serve", "--netuid", "1"}, tc.args...)...)...)
	}
	c.failsWith(ExitError, []string{"HotKeyNotRegisteredInNetwork"},
		c.as("nobody", "axon", "serve", "--netuid", "1", "--ip", "203.0.113.8", "--port", "8091")...)

	// Commitments: the hotkey signs and pays.
	c.failsWith(ExitError, []string{"cannot cover the fee", "btcli wallet transfer --dest " + bobHot},
		c.as("bob", "subnets", "commit", "--netuid", "1", "--data", "hello")...)
	var tr transferResult
	c.ok(&tr, c.as("bob", "wallet", "transfer", "--dest", bobHot, "--amount", "1")...)
	var cm commitResult
	c.ok(&cm, c.as("bob", "subnets", "commit", "--netuid", "1", "--data", "hello")...)
	if cm.Bytes != 5 || cm.Hotkey != bobHot {
		t.Fatalf("commit: %+v", cm)
	}
	var cms struct {
		Netuid      uint16
		Commitments []commitmentView
	}
	c.ok(&cms, c.as("bob", "subnets", "commitments", "--netuid", "1")...)
	if len(cms.Commitments) != 1 || cms.Commitments[0].Text != "hello" || cms.Commitments[0].UID == nil || *cms.Commitments[0].UID != 0 ||
		cms.Commitments[0].Block != uint64(cm.Block) {
		t.Fatalf("commitments: %+v", cms)
	}
	r = c.run(c.as("bob", "subnets", "commitments", "--netuid", "1")...)
	if r.code != 0 || !strings.Contains(r.stdout, `"hello"`) {
		t.Errorf("commitments table:\n%s%s", r.stdout, r.stderr)
	}
	c.failsWith(ExitUsage, []string{"limit is 1024"}, c.as("bob", "subnets", "commit", "--netuid", "1", "--data", strings.Repeat("x", 1025))...)

	// Subnet identity: fields not given keep their value.
	var si setIdentityResult
	c.ok(&si, c.as("bob", "subnets", "set-identity", "--netuid", "1", "--description", "a test subnet")...)
	c.ok(&show, c.as("bob", "subnets", "show", "--netuid", "1")...)
	if id := show.Subnet.Identity; id == nil || id.SubnetName != "bobnet" || id.Description != "a test subnet" || id.Discord != "bob#1" {
		t.Fatalf("identity after set-identity: %+v", id)
	}
	c.failsWith(ExitError, []string{"NotSubnetOwner"}, c.as("charlie", "subnets", "set-identity", "--netuid", "1", "--subnet-name", "mine")...)
	c.failsWith(ExitUsage, []string{"--logo-url is 1025 bytes"}, c.as("bob", "subnets", "set-identity", "--netuid", "1", "--logo-url", strings.Repeat("x", 1025))...)
	c.failsWith(ExitUsage, []string{"at least one"}, c.as("bob", "subnets", "set-identity", "--netuid", "1")...)

	// Coldkey identity.
	var wi identityResult
	c.ok(&wi, c.as("alice", "wallet", "set-identity", "--name", "Alice", "--url", "https://alice.example")...)
	var gi struct{ Identity api.ChainIdentity }
	c.ok(&gi, c.as("bob", "wallet", "get-identity", "--ss58", ss58(t, "//Alice"))...)
	if gi.Identity.Name != "Alice" || gi.Identity.URL != "https://alice.example" {
		t.Fatalf("get-identity: %+v", gi)
	}
	c.failsWith(ExitUsage, []string{"--name is 257 bytes"}, c.as("alice", "wallet", "set-identity", "--name", strings.Repeat("x", 257))...)
	c.failsWith(ExitError, []string{"has no identity"}, c.as("bob", "wallet", "get-identity")...)

	// Dissolve: sudo only.
	c.ok(&cr, c.as("charlie", "subnets", "create")...)
	if cr.Netuid != 2 || cr.Lock <= 100*tao {
		t.Fatalf("second create: %+v", cr)
	}
	c.failsWith(ExitError, []string{"BadOrigin", "sudo key"}, c.as("charlie", "sudo", "dissolve", "--netuid", "2")...)
	var dr dissolveResult
	c.ok(&dr, c.as("alice", "sudo", "dissolve", "--netuid", "2")...)
	if dr.Netuid != 2 || dr.Recycled+dr.Refunded != cr.Lock || dr.Stakers != 0 {
		t.Fatalf("dissolve: %+v", dr)
	}
	c.ok(&list, c.as("bob", "subnets", "list")...)
	if len(list.Subnets) != 2 {
		t.Fatalf("list after dissolve: %+v", list.Subnets)
	}
}
