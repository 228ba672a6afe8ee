package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/wallet"
)

// deadEndpoint is a URL no node listens on: the commands below must fail before they
// reach it, so the test needs no chain.
const deadEndpoint = "http://127.0.0.1:1"

// TestWatchOnlyWalletRefusedBeforePreview: a wallet with coldkeypub.txt and no coldkey
// file (or a coldkey file holding only the address) cannot sign; each coldkey-signed
// command says so before it contacts the chain, shows a preview or asks anything.
func TestWatchOnlyWalletRefusedBeforePreview(t *testing.T) {
	c := newCLI(t)
	var k keyJSON
	const alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
	const bob = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
	c.ok(&k, "wallet", "regen_coldkeypub", "--wallet.name", "watch", "--ss58", alice)
	// A coldkey file with the public key only.
	c.ok(&k, "wallet", "regen_coldkeypub", "--wallet.name", "pubonly", "--ss58", alice)
	pub, err := keys.ParsePublicKeyOrSS58(alice)
	if err != nil {
		t.Fatal(err)
	}
	if err := wallet.NewKeyfile(filepath.Join(c.root, "pubonly", wallet.ColdkeyFileName)).WritePublicKey(pub, false); err != nil {
		t.Fatal(err)
	}
	cmds := [][]string{
		{"wallet", "transfer", "--dest", bob, "--amount", "1"},
		{"stake", "add", "--netuid", "1", "--amount", "1", "--hotkey", bob},
		{"stake", "remove", "--netuid", "1", "--amount", "1", "--hotkey", bob},
		{"sudo", "set", "--param", "tempo", "--value", "10", "--netuid", "1"},
		{"sudo", "dissolve", "--netuid", "1"},
		{"subnets", "register", "--netuid", "1"},
	}
	for _, name := range []string{"watch", "pubonly"} {
		for _, args := range cmds {
			full := append(append([]string{}, args...), "--wallet.name", name, "--network", deadEndpoint)
			want := ExitNotFound
			if name == "pubonly" {
				want = ExitError
			}
			msg := c.fails(want, full...)
			if !strings.Contains(msg, "regen_coldkey --wallet.name "+name) || !strings.Contains(msg, alice) {
				t.Errorf("%s %v: message %q does not name the address and regen_coldkey", name, args, msg)
			}
			if name == "watch" && !strings.Contains(msg, "watch-only") {
				t.Errorf("%v: message %q does not say the wallet is watch-only", args, msg)
			}
		}
	}
}

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{plural(0, "neuron", ""), "0 neurons"},
		{plural(1, "neuron", ""), "1 neuron"},
		{plural(uint16(2), "neuron", ""), "2 neurons"},
		{plural(uint64(1), "stake weight", ""), "1 stake weight"},
		{plural(3, "child", "children"), "3 children"},
	} {
		if tc.got != tc.want {
			t.Errorf("plural: %q, want %q", tc.got, tc.want)
		}
	}
}

// TestParamUnitsMatchChain: btcli's unit table names exactly the chain's settable
// hyperparameters and global parameters, so a renamed or new parameter fails here.
func TestParamUnitsMatchChain(t *testing.T) {
	var chainNames []string
	for _, h := range subnets.HyperparameterNames() {
		chainNames = append(chainNames, h.Name)
	}
	chainNames = append(chainNames, subnets.ParameterNames()...)
	for _, n := range chainNames {
		if _, ok := paramUnits[n]; !ok {
			t.Errorf("chain parameter %s has no unit in paramUnits", n)
		}
	}
	for n := range paramUnits {
		if !slices.Contains(chainNames, n) {
			t.Errorf("paramUnits names %s, which is not a chain parameter", n)
		}
	}
}

// TestParamValueUnits: a fraction for a parameter in a fixed unit is refused with the
// unit and the whole number to give; the bounds error names the unit too.
func TestParamValueUnits(t *testing.T) {
	bim := api.Hyperparameter{Name: "burn_increase_mult", Min: 1_000_000, Max: 3_000_000}
	for _, tc := range []struct {
		p     api.Hyperparameter
		value string
		want  []string
	}{
		{bim, "1.5", []string{"parts per million", "1.5 is --value 1500000"}},
		{bim, "1.26", []string{"1.26 is --value 1260000"}},
		{bim, "1", []string{"ValueNotInBounds", "parts per million"}},
		{api.Hyperparameter{Name: "min_burn", Max: 999_999_999}, "0.0005", []string{"RAO", "0.0005 TAO is --value 500000"}},
		{api.Hyperparameter{Name: "kappa", Max: 65535}, "0.5", []string{"fraction of 65535", "0.5 is about --value 32768"}},
		{api.Hyperparameter{Name: "tempo", Min: 1, Max: 50400}, "1.5", []string{"must be a whole number", "blocks"}},
		{api.Hyperparameter{Name: "tempo", Min: 1, Max: 50400}, "ten", []string{"must be a whole number in blocks"}},
	} {
		_, err := parseParamValue(tc.value, tc.p)
		if err == nil || exitCode(err) != ExitUsage {
			t.Errorf("%s = %s: err %v, want a usage error", tc.p.Name, tc.value, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s = %s: %q does not mention %q", tc.p.Name, tc.value, err, w)
			}
		}
	}
	if v, err := parseParamValue("1_500_000", bim); err != nil || v != 1_500_000 {
		t.Errorf("1_500_000: %d %v", v, err)
	}
}

// TestSudoCountsAndUnitsOnNode runs sudo get and the dissolve preview on a real node:
// the parameter tables show each unit, and a subnet with one neuron says "1 neuron".
func TestSudoCountsAndUnitsOnNode(t *testing.T) {
	c := startChainCLI(t)
	c.wallet("alice", "//Alice", "//AliceHot") // sudo
	var gp networkParamsResult
	c.ok(&gp, c.as("alice", "sudo", "get")...)
	if gp.Units["network_min_lock_cost"] != "RAO" || gp.Units["owner_hparam_rate_limit"] != "tempos" {
		t.Errorf("sudo get units: %v", gp.Units)
	}
	r := c.run(c.as("alice", "sudo", "get")...)
	if r.code != 0 || !regexp.MustCompile(`NAME +VALUE +UNIT +MIN +MAX`).MatchString(r.stdout) ||
		!regexp.MustCompile(`network_min_lock_cost +\d+ +RAO `).MatchString(r.stdout) {
		t.Errorf("sudo get table: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	var cr createResult
	c.ok(&cr, c.as("alice", "subnets", "create")...)
	var hp hyperparamsResult
	c.ok(&hp, c.as("alice", "sudo", "get", "--netuid", n(cr.Netuid))...)
	if hp.Units["burn_increase_mult"] != "ppm" || hp.Units["tempo"] != "blocks" || len(hp.Units) != len(hp.Hyperparameters) {
		t.Errorf("sudo get --netuid units: %v", hp.Units)
	}
	r = c.run(c.as("alice", "sudo", "get", "--netuid", n(cr.Netuid))...)
	if r.code != 0 || !regexp.MustCompile(`burn_increase_mult +1260000 +ppm `).MatchString(r.stdout) {
		t.Errorf("sudo get --netuid table: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	c.failsWith(ExitUsage, []string{"parts per million", "1.5 is --value 1500000"},
		c.as("alice", "sudo", "set", "--netuid", n(cr.Netuid), "--param", "burn_increase_mult", "--value", "1.5")...)

	var show struct{ Subnet api.Subnet }
	c.ok(&show, c.as("alice", "subnets", "show", "--netuid", n(cr.Netuid))...)
	if show.Subnet.Neurons != 1 {
		t.Fatalf("a new subnet has %d neurons, want its owner's only", show.Subnet.Neurons)
	}
	r = c.runIn("n\n", c.as("alice", "sudo", "dissolve", "--netuid", n(cr.Netuid))...)
	if !strings.Contains(r.stderr, "1 neuron\n") || !strings.Contains(r.stderr, "Do you want to dissolve") {
		t.Errorf("dissolve preview: exit %d\n%s", r.code, r.stderr)
	}
}

// TestSignHexMessage: a message starting with 0x must be valid hex (it is signed as the
// bytes it spells); bad hex is refused before any key is unlocked, and --text signs or
// verifies the text itself.
func TestSignHexMessage(t *testing.T) {
	c := newCLI(t)
	var k keyJSON
	c.ok(&k, "wallet", "regen_hotkey", "--uri", "//Alice")
	for _, m := range []string{"0xzz", "0x123", "0x68 65"} {
		msg := c.fails(ExitUsage, "wallet", "sign", "--use-hotkey", "--message", m)
		if !strings.Contains(msg, "not valid hex") || !strings.Contains(msg, "--text") {
			t.Errorf("sign %q: %q", m, msg)
		}
		msg = c.fails(ExitUsage, "wallet", "verify", "--message", m, "--signature", strings.Repeat("00", 64), "--address", k.SS58)
		if !strings.Contains(msg, "not valid hex") {
			t.Errorf("verify %q: %q", m, msg)
		}
	}
	// The coldkey is missing: bad hex is reported first, before the key is opened.
	if msg := c.fails(ExitUsage, "wallet", "sign", "--message", "0xzz"); !strings.Contains(msg, "not valid hex") {
		t.Errorf("sign with the coldkey: %q", msg)
	}
	var sig struct{ Signature, Signer string }
	c.ok(&sig, "wallet", "sign", "--use-hotkey", "--message", "0xzz", "--text")
	kp, err := keys.FromURI("//Alice")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := keys.ParseSignature(sig.Signature)
	if err != nil || !keys.Verify(kp.Public(), []byte("0xzz"), raw) {
		t.Fatalf("--text did not sign the text 0xzz: %v", err)
	}
	var v struct{ Valid bool }
	c.ok(&v, "wallet", "verify", "--message", "0xzz", "--text", "--signature", sig.Signature, "--address", k.SS58)
	if !v.Valid {
		t.Error("verify --text: not valid")
	}
	// Uppercase hex digits are hex too.
	c.ok(&sig, "wallet", "sign", "--use-hotkey", "--message", "0x68656C6C6F")
	raw, _ = keys.ParseSignature(sig.Signature)
	if !keys.Verify(kp.Public(), []byte("hello"), raw) {
		t.Error("0x68656C6C6F was not signed as the bytes hello")
	}
}

// TestMissingHotkeyRefusedBeforePreview: the hotkey-signed commands (weights, axon serve,
// commitments) check the hotkey file can sign before they contact the chain or ask.
func TestMissingHotkeyRefusedBeforePreview(t *testing.T) {
	c := newCLI(t)
	var k keyJSON
	c.ok(&k, "wallet", "regen_hotkey", "--wallet.name", "v", "--uri", "//Bob")
	if err := os.Remove(filepath.Join(c.root, "v", "hotkeys", "default")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"weights", "set", "--netuid", "1", "--uids", "1", "--weights", "1"},
		{"weights", "commit", "--netuid", "1", "--uids", "1", "--weights", "1"},
		{"axon", "serve", "--netuid", "1", "--ip", "10.0.0.1", "--port", "8091"},
		{"subnets", "commit", "--netuid", "1", "--data", "model v1"},
	} {
		msg := c.fails(ExitNotFound, append(args, "--wallet.name", "v", "--network", deadEndpoint)...)
		if !strings.Contains(msg, "regen_hotkey --wallet.name v") || !strings.Contains(msg, k.SS58) {
			t.Errorf("%v: message %q does not name the hotkey's address and regen_hotkey", args, msg)
		}
	}
	// Reading needs only the address.
	c.fails(ExitError, "weights", "status", "--netuid", "1", "--wallet.name", "v", "--network", deadEndpoint)
}
