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
