package chain_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// forbidden lists imports the state machine must not use, each with why
// (ARCHITECTURE decision 3, STYLE §1 and §3). chain/store is the storage
// layer and alone may touch the file system.
var forbidden = map[string]string{
	"os":           "no file or environment access in the state machine",
	"os/exec":      "no processes",
	"math/rand":    "randomness would fork the chain; use block-derived seeds",
	"math/rand/v2": "randomness would fork the chain; use block-derived seeds",
	"crypto/rand":  "randomness would fork the chain",
	"time":         "no wall clock; use the block time",
	"net":          "no network I/O",
	"net/http":     "no network I/O",
	"net/url":      "no network packages",
}

var forbiddenPrefixes = []string{
	"github.com/gotensor/gotensor/node", "github.com/gotensor/gotensor/client", "github.com/gotensor/gotensor/cmd",
	"github.com/gotensor/gotensor/wallet", "github.com/gotensor/gotensor/axon", "github.com/gotensor/gotensor/dendrite",
	"github.com/cometbft/cometbft/node", "github.com/cometbft/cometbft/rpc",
}

func TestStateMachineImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		storage := strings.HasSuffix(p.ImportPath, "/chain/store")
		for _, imp := range p.Imports {
			if why, bad := forbidden[imp]; bad && !storage {
				t.Errorf("%s imports %s: %s", p.ImportPath, imp, why)
			}
			for _, pre := range forbiddenPrefixes {
				if strings.HasPrefix(imp, pre) {
					t.Errorf("%s imports %s: the state machine must not depend on the node, SDK runtime or CLI", p.ImportPath, imp)
				}
			}
		}
	}
}
