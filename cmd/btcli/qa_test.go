package main

import (
	"path/filepath"
	"strings"
	"testing"

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
