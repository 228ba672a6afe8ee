package keys

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps keys a leaf (STYLE §1): the chain, SDK runtime, I/O-heavy and test
// packages never reach it.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []struct{ prefix, why string }{
			{"github.com/gotensor/gotensor/", "keys is a leaf: other Gotensor packages import it, not the reverse"},
			{"github.com/cometbft/", "an SDK leaf links no node"},
			{"github.com/cosmos/iavl", "an SDK leaf links no state store"},
			{"net/http", "keys does no network I/O"},
			{"testing", "production code must not import testing"},
		} {
			if strings.HasPrefix(dep, bad.prefix) && dep != "github.com/gotensor/gotensor/keys" {
				t.Errorf("keys depends on %s: %s", dep, bad.why)
			}
		}
	}
}
