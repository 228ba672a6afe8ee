package neuron

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps neuron an SDK package (STYLE §1): it may use the chain's wire types
// (chain/api, chain/tx, chain/errs) through the client and the chain's integer math
// (chain/fixed), but no chain module, node, state
// store or consensus engine, so a miner binary links no state machine.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	allowed := []string{
		"github.com/gotensor/gotensor/chain/api",
		"github.com/gotensor/gotensor/chain/tx",
		"github.com/gotensor/gotensor/chain/errs",
		"github.com/gotensor/gotensor/chain/fixed", // pure math leaf (STYLE §1), through metagraph's total stake
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/gotensor/gotensor/chain/") && !hasAnyPrefix(dep, allowed) {
			t.Errorf("neuron depends on %s: an SDK package never imports chain modules", dep)
		}
		for _, bad := range []struct{ prefix, why string }{
			{"github.com/gotensor/gotensor/node", "a miner binary links no node"},
			{"github.com/gotensor/gotensor/subnets", "subnets build on neuron, not the reverse"},
			{"github.com/cometbft/cometbft/node", "an SDK package links no CometBFT node"},
			{"github.com/cometbft/cometbft/consensus", "an SDK package links no consensus engine"},
			{"github.com/cosmos/iavl", "an SDK package links no state store"},
		} {
			if strings.HasPrefix(dep, bad.prefix) {
				t.Errorf("neuron depends on %s: %s", dep, bad.why)
			}
		}
	}
}

// TestNoTesting keeps the testing package out of neuron's own imports (CometBFT's types,
// reached through the client's receipts, import it; that is theirs).
func TestNoTesting(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, imp := range strings.Fields(string(out)) {
		if imp == "testing" || strings.HasPrefix(imp, "testing/") {
			t.Errorf("neuron imports %s: production code must not import testing", imp)
		}
	}
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
