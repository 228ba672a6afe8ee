package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/chain/governance"
)

// TestSudoSafeModeAgainstRealNode switches safe mode with `btcli sudo safe-mode` on a real
// node: only the sudo coldkey may, `sudo get` shows the state, safe mode pauses a transfer
// and lifting it resumes it; after sudo is retired the command names governance instead.
func TestSudoSafeModeAgainstRealNode(t *testing.T) {
	g := &govChain{chainCLI: startChainCLI(t)}
	g.cl = g.dial()
	for _, name := range []string{"alice", "bob", "charlie"} {
		var k keyJSON
		g.ok(&k, "--wallet.name", name, "wallet", "regen_coldkey", "--uri", "//"+strings.ToUpper(name[:1])+name[1:], "--no-password")
	}
	alice, charlie := ss58(t, "//Alice"), ss58(t, "//Charlie")
	get := func() networkParamsResult {
		t.Helper()
		var r networkParamsResult
		g.ok(&r, g.as("bob", "sudo", "get")...)
		return r
	}
	if r := get(); r.SafeMode || r.Sudo != alice {
		t.Fatalf("sudo get at genesis: %+v", r)
	}
	if r := g.run(g.as("bob", "sudo", "get")...); r.code != 0 || !strings.Contains(r.stdout, "Safe mode: off") {
		t.Fatalf("sudo get table: %+v", r)
	}

	// Bad input, and a coldkey that is not sudo: refused before anything is signed.
	g.failsWith(ExitUsage, []string{"give on or off"}, g.as("alice", "sudo", "safe-mode")...)
	g.failsWith(ExitUsage, []string{"give on or off"}, g.as("alice", "sudo", "safe-mode", "on", "now")...)
	g.failsWith(ExitUsage, []string{`safe mode is on or off, not "maybe"`}, g.as("alice", "sudo", "safe-mode", "maybe")...)
	g.failsWith(ExitError, []string{"BadOrigin", "only the sudo key " + alice, "btcli gov propose --title .. --safe-mode on"},
		g.as("bob", "sudo", "safe-mode", "on")...)
	g.failsWith(ExitError, []string{"already off"}, g.as("alice", "sudo", "safe-mode", "off")...)

	// The question says what safe mode blocks; answering no changes nothing.
	if r := g.runIn("n\n", g.as("alice", "sudo", "safe-mode", "on")...); r.code == 0 ||
		!strings.Contains(r.stderr, "Do you want to turn safe mode on?") || !strings.Contains(r.stderr, "off → on") ||
		!strings.Contains(r.stderr, "except governance (propose, deposit, vote) and the sudo calls is refused with SafeModeActive") {
		t.Fatalf("declined safe-mode on: exit %d\n%s", r.code, r.stderr)
	}
	if get().SafeMode {
		t.Fatal("safe mode is on after the question was declined")
	}

	var on sudoSafeModeResult
	g.ok(&on, g.as("alice", "sudo", "safe-mode", "ON")...)
	if !on.SafeMode || on.Was || on.Block == 0 || on.Hash == "" || on.Fee == 0 {
		t.Fatalf("safe-mode on: %+v", on)
	}
	if r := get(); !r.SafeMode {
		t.Fatalf("sudo get after safe-mode on: %+v", r)
	}
	if r := g.run(g.as("bob", "sudo", "get")...); r.code != 0 || !strings.Contains(r.stdout, "Safe mode: ON") {
		t.Fatalf("sudo get table in safe mode: %+v", r)
	}
	var gp govParamsResult
	g.ok(&gp, g.as("bob", "gov", "params")...)
	if !gp.SafeMode {
		t.Fatalf("gov params after safe-mode on: %+v", gp)
	}
	g.failsWith(ExitError, []string{"SafeModeActive"}, g.as("bob", "wallet", "transfer", "--dest", charlie, "--amount", "1")...)
	g.failsWith(ExitError, []string{"already on"}, g.as("alice", "sudo", "safe-mode", "on")...)

	var off sudoSafeModeResult
	g.ok(&off, g.as("alice", "sudo", "safe-mode", "off")...)
	if off.SafeMode || !off.Was || off.Block <= on.Block {
		t.Fatalf("safe-mode off: %+v", off)
	}
	var tr transferResult
	g.ok(&tr, g.as("bob", "wallet", "transfer", "--dest", charlie, "--amount", "1")...)
	if !tr.Included {
		t.Fatalf("transfer after safe mode: %+v", tr)
	}

	// Retire sudo by governance; the command then points to a proposal.
	p := g.propose("alice", "--title", "Retire sudo", "--retire-sudo", "--deposit", "10")
	for _, who := range []string{"alice", "bob", "charlie"} {
		g.vote(who, p.ID, "yes")
	}
	g.waitEnd(p)
	if s := g.show(p.ID); s.Status != governance.StatusPassed {
		t.Fatalf("retire-sudo proposal %s: %+v", strconv.FormatUint(p.ID, 10), s)
	}
	if r := get(); r.Sudo != "" || r.SafeMode {
		t.Fatalf("sudo get after retirement: %+v", r)
	}
	g.failsWith(ExitError, []string{"BadOrigin", "retired", "btcli gov propose --title .. --safe-mode on"},
		g.as("alice", "sudo", "safe-mode", "on")...)
}
