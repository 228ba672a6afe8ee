package node_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/node"
)

// Bad options to init say what is wrong and leave nothing behind: no keys,
// no half-made home that a corrected command would then have to clean up.
func TestInitBadOptionsWriteNothing(t *testing.T) {
	alice := "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
	cases := []struct {
		name string
		o    node.InitOptions
		want string
	}{
		{"unknown profile", node.InitOptions{Profile: "devnet"}, `unknown profile "devnet"`},
		{"mainnet without reward account", node.InitOptions{Profile: node.ProfileMainnet}, "--reward-account is required"},
		{"bad reward account", node.InitOptions{RewardAccount: "nonsense"}, `reward account "nonsense"`},
		{"bad balance address", node.InitOptions{Balances: map[string]uint64{alice[:47] + "X": 5}}, "balance for"},
		{"bad sudo", node.InitOptions{Sudo: "nonsense"}, `sudo "nonsense"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "home")
			c.o.Home = home
			_, err := node.Init(c.o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			if _, err := os.Stat(home); !os.IsNotExist(err) {
				t.Fatalf("init wrote %s after failing (stat: %v)", home, err)
			}
		})
	}
}

// testnet checks its flags and every home before writing any of them.
func TestTestnetBadOptionsWriteNothing(t *testing.T) {
	for _, c := range []struct {
		name string
		o    node.TestnetOptions
		want string
	}{
		{"unknown profile", node.TestnetOptions{Profile: "devnet"}, `unknown profile "devnet"`},
		{"bad sudo", node.TestnetOptions{Sudo: "nonsense"}, `sudo "nonsense"`},
		{"bad balance address", node.TestnetOptions{Balances: map[string]uint64{"nonsense": 5}}, "balance for"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "testnet")
			c.o.Output, c.o.Validators, c.o.BasePort, c.o.ChainID = out, 2, 26000, "t"
			_, err := node.Testnet(c.o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatalf("testnet wrote %s after failing (stat: %v)", out, err)
			}
		})
	}
	// A second run over the same folder is refused before touching it.
	out := filepath.Join(t.TempDir(), "testnet")
	o := node.TestnetOptions{Validators: 2, Output: out, ChainID: "t", BasePort: 26000}
	if _, err := node.Testnet(o); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(out, "node1", "config", "priv_validator_key.json")
	before, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	o.Validators = 3
	if _, err := node.Testnet(o); err == nil || !strings.Contains(err.Error(), "already initialised") || !strings.Contains(err.Error(), "--output") {
		t.Fatalf("second testnet: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "node2")); !os.IsNotExist(err) {
		t.Errorf("refused testnet still made node2 (stat: %v)", err)
	}
	if after, _ := os.ReadFile(key); string(after) != string(before) {
		t.Error("refused testnet changed node1's key")
	}
}
