package main

// Behaviour found by walking the user docs (quickstart, wallet, staking, subnet-owner,
// validator, governance) command by command.

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gotensor/gotensor/chain/balances"
)

// TestFlagUsageNamesNoPlaceholder: pflag takes the first `quoted` word of a flag's usage
// as the value's placeholder, so "(see `btcli subnets list`)" printed
// "--netuid btcli subnets list" in every command's help. No flag may quote a word.
func TestFlagUsageNamesNoPlaceholder(t *testing.T) {
	app := newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(string) (string, bool) { return "", false })
	var walk func(c *cobra.Command)
	checked := 0
	walk = func(c *cobra.Command) {
		check := func(f *pflag.Flag) {
			checked++
			if name, _ := pflag.UnquoteUsage(f); strings.Contains(f.Usage, "`") {
				t.Errorf("btcli %s --%s: usage %q shows the placeholder %q in help", c.CommandPath(), f.Name, f.Usage, name)
			}
		}
		c.LocalFlags().VisitAll(check)
		c.PersistentFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(app))
	if checked < 100 {
		t.Fatalf("only %d flags checked: the command tree was not walked", checked)
	}
	r := newCLI(t).run("subnets", "show", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "--netuid uint16") {
		t.Fatalf("subnets show --help:\n%s%s", r.stdout, r.stderr)
	}
}

// TestTransferToSelfRefusedOffline: a transfer to the wallet's own coldkey is refused
// (exit 1, as the chain's refusal was) before anything is asked or any node is contacted (the chain would refuse it
// with TransferToSelf after the user had confirmed).
func TestTransferToSelfRefusedOffline(t *testing.T) {
	c := newCLI(t)
	var k keyJSON
	c.ok(&k, "--wallet.name", "alice", "wallet", "regen_coldkey", "--uri", "//Alice", "--no-password")
	// Nothing listens on port 1: reaching the node would fail with a connection error.
	msg := c.fails(ExitError, "--wallet.name", "alice", "--chain-endpoint", "http://127.0.0.1:1",
		"wallet", "transfer", "--dest", k.SS58, "--amount", "1")
	if !strings.Contains(msg, "TransferToSelf") || !strings.Contains(msg, k.SS58) {
		t.Fatalf("message %q", msg)
	}
	r := c.runIn("y\n", "--wallet.name", "alice", "--chain-endpoint", "http://127.0.0.1:1",
		"wallet", "transfer", "--dest", k.SS58, "--amount", "1")
	if r.code != ExitError || strings.Contains(r.stderr, "Do you want") {
		t.Fatalf("interactive: exit %d\n%s", r.code, r.stderr)
	}
}

// TestStakeDocsWalk: root stake is shown in TAO (it is TAO, 1:1), not as alpha; a stake
// or unstake below the chain's minimum is refused before asking, with nothing changed.
func TestStakeDocsWalk(t *testing.T) {
	c := startStakeChain(t)
	hot := []string{"--hotkey", c.aliceHot}

	// Root: preview, result, list and delegates show all in τ.
	r := c.runIn("y\n", c.as("charlie", append([]string{"stake", "add", "--netuid", "0", "--amount", "2"}, hot...)...)...)
	if r.code != 0 {
		t.Fatalf("stake add on root: exit %d\n%s", r.code, r.stderr)
	}
	if v := summaryValue(t, r.stderr, "Expected"); v != "τ2" {
		t.Errorf("root stake Expected %q, want τ2\n%s", v, r.stderr)
	}
	if strings.Contains(r.stderr, "τ/α") || strings.Contains(r.stdout, "α") {
		t.Errorf("root stake shown with alpha units:\n%s%s", r.stderr, r.stdout)
	}
	if !strings.Contains(r.stdout, "Received τ2 ") || !strings.Contains(r.stdout, "Position now τ2;") {
		t.Errorf("root stake result:\n%s", r.stdout)
	}
	r = c.runIn("y\n", c.as("charlie", append([]string{"stake", "remove", "--netuid", "0", "--amount", "0.5"}, hot...)...)...)
	if r.code != 0 || summaryValue(t, r.stderr, "Amount") != "τ0.5 of τ2 held" || !strings.Contains(r.stdout, "Unstaked τ0.5 ") ||
		!strings.Contains(r.stdout, "Position now τ1.5;") {
		t.Fatalf("root unstake: exit %d\n%s%s", r.code, r.stderr, r.stdout)
	}
	r = c.run(c.as("charlie", "stake", "list")...)
	var rootLine string
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(line, "0 ") {
			rootLine = line
		}
	}
	if r.code != 0 || !strings.Contains(rootLine, "τ1.5") || strings.Contains(rootLine, "α") {
		t.Fatalf("stake list root row %q:\n%s", rootLine, r.stdout)
	}
	r = c.run("--chain-endpoint", c.n.RPC, "delegates", "show", "--hotkey", c.aliceHot)
	if r.code != 0 || strings.Contains(r.stdout, "α1.5") || !strings.Contains(r.stdout, "τ1.5") {
		t.Fatalf("delegates show:\n%s%s", r.stdout, r.stderr)
	}

	// subnets list: root has no pool (its stake is TAO, 1:1), whatever root stake it holds.
	r = c.run("--chain-endpoint", c.n.RPC, "subnets", "list")
	if r.code != 0 || !regexp.MustCompile(`(?m)^0 +root .*- \(no pool\) +1 \(1:1\)`).MatchString(r.stdout) {
		t.Fatalf("subnets list root row:\n%s%s", r.stdout, r.stderr)
	}

	// Root in the subnet views: no epochs or pool to show, no burned registration.
	r = c.run("--chain-endpoint", c.n.RPC, "subnets", "metagraph", "0")
	if r.code != 0 || !strings.Contains(r.stdout, "runs no epochs and has no pool") || strings.Contains(r.stdout, "next epoch at block") {
		t.Fatalf("metagraph 0:\n%s%s", r.stdout, r.stderr)
	}
	if msg := c.fails(ExitUsage, "--chain-endpoint", c.n.RPC, "subnets", "burn-cost", "--netuid", "0"); !strings.Contains(msg, "btcli root register") {
		t.Fatalf("burn-cost 0: %q", msg)
	}
	r = c.run("--chain-endpoint", c.n.RPC, "subnets", "show", "--netuid", "0")
	if r.code != 0 || !strings.Contains(r.stdout, "no pool") || strings.Contains(r.stdout, "not started") || strings.Contains(r.stdout, "price 0") {
		t.Fatalf("subnets show 0:\n%s%s", r.stdout, r.stderr)
	}
	if msg := c.fails(ExitUsage, c.as("alice", "weights", "status", "--netuid", "0")...); !strings.Contains(msg, "CanNotSetRootNetworkWeights") {
		t.Fatalf("weights status 0: %q", msg)
	}

	// A take above the maximum: refused before the question, naming the maximum.
	r = c.runIn("y\n", c.as("alice", "delegates", "take", "--take", "20%")...)
	if r.code != ExitError || !strings.Contains(r.stderr, "DelegateTakeTooHigh") || !strings.Contains(r.stderr, "18.00%") ||
		strings.Contains(r.stderr, "Do you want") {
		t.Fatalf("take 20%%: exit %d\n%s", r.code, r.stderr)
	}

	// Below the minimum: refused before the question, balance and stake unchanged.
	before := c.list("charlie")
	r = c.run(c.as("charlie", append([]string{"stake", "add", "--netuid", n(c.n1), "--amount", "0.002"}, hot...)...)...)
	if r.code != ExitError || !strings.Contains(r.stderr, "AmountTooLow") || strings.Contains(r.stderr, "Do you want") {
		t.Fatalf("stake add 0.002 (0.001999 after the swap fee): exit %d\n%s", r.code, r.stderr)
	}
	msg := c.fails(ExitError, c.as("charlie", append([]string{"stake", "add", "--netuid", "0", "--amount", "0.001"}, hot...)...)...)
	if !strings.Contains(msg, "AmountTooLow") || !strings.Contains(msg, "τ0.002") {
		t.Fatalf("root stake 0.001: %q", msg)
	}
	var add stakeAddResult
	c.ok(&add, c.as("charlie", append([]string{"stake", "add", "--netuid", n(c.n1), "--amount", "1"}, hot...)...)...)
	r = c.run(c.as("charlie", append([]string{"stake", "remove", "--netuid", n(c.n1), "--amount", "0.000001"}, hot...)...)...)
	if r.code != ExitError || !strings.Contains(r.stderr, "AmountTooLow") || !strings.Contains(r.stderr, "--all") || strings.Contains(r.stderr, "Do you want") {
		t.Fatalf("unstake α0.000001: exit %d\n%s", r.code, r.stderr)
	}
	after := c.list("charlie")
	row, ok := after.find(c.aliceHot, c.n1)
	if !ok || row.Alpha < add.Position || after.Free != before.Free-1_000_000_000-add.Fee {
		t.Fatalf("refused operations changed state: before %+v, after %+v, add %+v", before, after, add)
	}
}

// TestAxonServeRefusedBeforeAsking: an address the chain refuses (loopback, broadcast) is
// refused before any node is contacted, and a hotkey that is not a neuron of the subnet
// before the question, both with the chain's error name.
func TestAxonServeRefusedBeforeAsking(t *testing.T) {
	off := newCLI(t)
	var k keyJSON
	off.ok(&k, "--wallet.name", "m", "wallet", "regen_coldkey", "--uri", "//Dave", "--no-password")
	off.ok(&k, "--wallet.name", "m", "wallet", "regen_hotkey", "--uri", "//DaveHot", "--no-password")
	for _, ip := range []string{"127.0.0.1", "::1", "255.255.255.255", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"} {
		r := off.runIn("y\n", "--wallet.name", "m", "--chain-endpoint", "http://127.0.0.1:1", "axon", "serve", "--netuid", "1", "--ip", ip, "--port", "8091")
		if r.code != ExitError || !strings.Contains(r.stderr, "InvalidIpAddress") || strings.Contains(r.stderr, "Do you want") {
			t.Errorf("--ip %s: exit %d\n%s", ip, r.code, r.stderr)
		}
	}

	c := startStakeChain(t) // charlie's hotkey is on no subnet
	r := c.runIn("y\n", c.as("charlie", "axon", "serve", "--netuid", n(c.n1), "--ip", "203.0.113.7", "--port", "8091")...)
	if r.code != ExitError || !strings.Contains(r.stderr, "HotKeyNotRegisteredInNetwork") || strings.Contains(r.stderr, "Do you want") {
		t.Fatalf("unregistered hotkey: exit %d\n%s", r.code, r.stderr)
	}
	r = c.runIn("y\n", c.as("alice", "axon", "serve", "--netuid", n(c.n1), "--ip", "203.0.113.7", "--port", "8091")...)
	if r.code != 0 || !strings.Contains(r.stdout, "Serving 203.0.113.7:8091") {
		t.Fatalf("owner hotkey (uid 0): exit %d\n%s%s", r.code, r.stderr, r.stdout)
	}
}

// TestWeightsUnknownUIDRefusedBeforeAsking: weights on a uid the subnet does not have are
// refused with the chain's error name before the question (the owner hotkey needs no
// permit, so this is the only check in the way).
func TestWeightsUnknownUIDRefusedBeforeAsking(t *testing.T) {
	c := startStakeChain(t) // alice's hotkey is uid 0 and the owner of subnet n1, its only uid
	r := c.runIn("y\n", c.as("alice", "weights", "set", "--netuid", n(c.n1), "--uids", "0,5", "--weights", "1,1")...)
	if r.code != ExitError || !strings.Contains(r.stderr, "UidVecContainInvalidOne: uid 5") || !strings.Contains(r.stderr, "uids 0..0") ||
		strings.Contains(r.stderr, "Do you want") {
		t.Fatalf("uid 5: exit %d\n%s", r.code, r.stderr)
	}
	var res weightsResult
	c.ok(&res, c.as("alice", "weights", "set", "--netuid", n(c.n1), "--uids", "0", "--weights", "1")...)
	if res.UID != 0 || len(res.UIDs) != 1 || res.Block == 0 {
		t.Fatalf("self-weight: %+v", res)
	}
}

// TestUnknownNetworkName: the docs say "add --network NAME"; a name btcli does not know
// is a usage error naming the known ones and the ways to give an endpoint, not a DNS
// failure for the host "finney".
func TestUnknownNetworkName(t *testing.T) {
	c := newCLI(t)
	var k keyJSON
	c.ok(&k, "--wallet.name", "alice", "wallet", "regen_coldkey", "--uri", "//Alice", "--no-password")
	msg := c.fails(ExitUsage, "--wallet.name", "alice", "--network", "finney", "wallet", "balance")
	for _, want := range []string{`unknown network "finney"`, "local", "--chain-endpoint", "GOTENSOR_NETWORK_FINNEY"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	c.env[EnvNetwork] = "finney"
	if msg := c.fails(ExitUsage, "--wallet.name", "alice", "wallet", "balance"); !strings.Contains(msg, `unknown network "finney"`) {
		t.Errorf("from %s: %q", EnvNetwork, msg)
	}
}

// TestTransferAllKeepAlive: transfer --all --keep-alive sends the balance less the fee and
// the existential deposit the chain keeps; the preview and the result showed the
// existential deposit as sent.
func TestTransferAllKeepAlive(t *testing.T) {
	if evTransfer != balances.EventTransfer {
		t.Fatalf("evTransfer %q, chain %q", evTransfer, balances.EventTransfer)
	}
	c := startChainCLI(t)
	c.wallet("alice", "//Alice", "//AliceHot")
	c.wallet("x", "//Xavier", "//XavierHot")
	x := ss58(t, "//Xavier")
	var tr transferResult
	c.ok(&tr, c.as("alice", "wallet", "transfer", "--dest", x, "--amount", "1")...)
	c.ok(&tr, c.as("x", "wallet", "transfer", "--dest", ss58(t, "//Bob"), "--all", "--keep-alive")...)
	if tr.Amount != 1_000_000_000-tr.Fee-balances.ExistentialDeposit || tr.Balance != balances.ExistentialDeposit {
		t.Fatalf("transfer --all --keep-alive: %+v", tr)
	}
	msg := c.fails(ExitError, c.as("x", "wallet", "transfer", "--dest", ss58(t, "//Bob"), "--all", "--keep-alive")...)
	if !strings.Contains(msg, "nothing to send") || !strings.Contains(msg, "existential deposit") {
		t.Fatalf("second --all --keep-alive: %q", msg)
	}
}
