package wallet

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps: wallet is SDK code (STYLE §1); a miner that opens its keys links no chain.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []struct{ prefix, why string }{
			{"github.com/gotensor/gotensor/chain", "SDK packages never import chain modules"},
			{"github.com/cometbft/", "wallet links no node"},
			{"github.com/cosmos/iavl", "wallet links no state store"},
			{"net/http", "wallet does no network I/O"},
			{"testing", "production code must not import testing"},
		} {
			if strings.HasPrefix(dep, bad.prefix) {
				t.Errorf("wallet depends on %s: %s", dep, bad.why)
			}
		}
	}
}
