package axon_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the axon an SDK package (STYLE §1): a miner binary links no chain module,
// node, state store or CometBFT.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []struct{ prefix, why string }{
			{"github.com/gotensor/gotensor/chain/", "an SDK package never imports chain modules"},
			{"github.com/gotensor/gotensor/node", "a miner binary links no node"},
			{"github.com/gotensor/gotensor/client", "the axon publishes through Config.Publish, not the chain client"},
			{"github.com/gotensor/gotensor/dendrite", "the axon does not need the client side"},
			{"github.com/cometbft/", "an SDK package links no CometBFT"},
			{"github.com/cosmos/iavl", "an SDK package links no state store"},
			{"testing", "production code must not import testing"},
		} {
			if strings.HasPrefix(dep, bad.prefix) {
				t.Errorf("axon depends on %s: %s", dep, bad.why)
			}
		}
	}
}
