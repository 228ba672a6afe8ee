package synapse

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps synapse a wire-format package (STYLE §1): no chain modules, no node, no
// state store, and no other SDK runtime package.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []struct{ prefix, why string }{
			{"github.com/gotensor/gotensor/chain/", "an SDK package never imports chain modules"},
			{"github.com/gotensor/gotensor/node", "a miner binary links no node"},
			{"github.com/gotensor/gotensor/axon", "synapse is below axon"},
			{"github.com/gotensor/gotensor/dendrite", "synapse is below dendrite"},
			{"github.com/cometbft/", "an SDK package links no CometBFT"},
			{"github.com/cosmos/iavl", "an SDK package links no state store"},
			{"testing", "production code must not import testing"},
		} {
			if strings.HasPrefix(dep, bad.prefix) {
				t.Errorf("synapse depends on %s: %s", dep, bad.why)
			}
		}
	}
}
