package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/gotensor/gotensor/node"
	"github.com/gotensor/gotensor/node/nodetest"
)

// runCLI runs subtensor with args in process and returns its stdout and
// stderr.
func runCLI(t *testing.T, args ...string) (string, string) {
	t.Helper()
	root := newRoot()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatalf("subtensor %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), errOut.String()
}

// hintedCommand finds the line of text that runs `subtensor VERB` and returns
// its arguments with NEWHOME replaced by home.
func hintedCommand(t *testing.T, text, verb, home string) []string {
	t.Helper()
	for line := range strings.SplitSeq(text, "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && f[0] == "subtensor" && f[1] == verb {
			for i := range f {
				f[i] = strings.ReplaceAll(f[i], "NEWHOME", home)
			}
			return f[1:]
		}
	}
	t.Fatalf("no `subtensor %s` line in:\n%s", verb, text)
	return nil
}

// TestExportHintMakesAWorkingChain follows what `subtensor export` prints, as
// a user would, and checks that the new home is the chain's validator and
// makes blocks past the exported height. `init --genesis` without the key
// warns, and the command its warning gives fixes the home.
func TestExportHintMakesAWorkingChain(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "state.json")
	_, hint := runCLI(t, "export", "--home", n.Home, "--out", file)

	// Followed as printed, the new home takes the old validator key.
	followed := filepath.Join(t.TempDir(), "followed")
	_, warn := runCLI(t, hintedCommand(t, hint, "init", followed)...)
	if strings.Contains(warn, "warning") {
		t.Fatalf("init as export's hint says warns:\n%s", warn)
	}
	if start := hintedCommand(t, hint, "start", followed); strings.Join(start, " ") != "start --home "+followed {
		t.Fatalf("hint's start line: %q", start)
	}
	doc, err := cmttypes.GenesisDocFromFile(file)
	if err != nil {
		t.Fatal(err)
	}
	n2 := nodetest.Start(t, nodetest.Options{Home: followed})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := n2.WaitHeight(ctx, doc.InitialHeight+1); err != nil {
		t.Fatalf("the chain from the export makes no blocks: %v", err)
	}

	// Without the key, init warns and says how to fix it.
	bare := filepath.Join(t.TempDir(), "bare")
	_, warn = runCLI(t, "init", "--home", bare, "--genesis", file)
	for _, want := range []string{"warning: this node's validator key", "is not one of the", "--validator-key-from OLDHOME --overwrite", "persistent_peers"} {
		if !strings.Contains(warn, want) {
			t.Errorf("init --genesis warning lacks %q:\n%s", want, warn)
		}
	}
	fix := hintedCommand(t, warn, "init", bare)
	for i := range fix {
		fix[i] = strings.ReplaceAll(fix[i], "OLDHOME", n.Home)
	}
	if _, warn = runCLI(t, fix...); strings.Contains(warn, "warning") {
		t.Fatalf("the warning's fix still warns:\n%s", warn)
	}
	if chk, err := node.CheckValidatorKey(bare); err != nil || !chk.InGenesis {
		t.Fatalf("after the warning's fix: %+v, %v", chk, err)
	}
}
