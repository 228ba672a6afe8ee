package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `subtensor testnet` writes under --output; a --home given instead is
// refused with the command to use, rather than ignored (which wrote
// ./testnet in the current folder).
func TestTestnetHomeFlagIsNotIgnored(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	root := newRoot()
	root.SetArgs([]string{"testnet", "--validators", "2", "--home", filepath.Join(dir, "tn")})
	root.SetOut(new(strings.Builder))
	root.SetErr(new(strings.Builder))
	err := root.Execute()
	if err == nil || !strings.Contains(err.Error(), "--output "+filepath.Join(dir, "tn")) {
		t.Fatalf("error %v, want the --output command", err)
	}
	for _, p := range []string{"testnet", "tn"} {
		if _, err := os.Stat(filepath.Join(dir, p)); !os.IsNotExist(err) {
			t.Errorf("%s written (stat: %v)", p, err)
		}
	}
	out, _ := runCLI(t, "testnet", "--validators", "2", "--output", filepath.Join(dir, "tn"), "--base-port", "26100")
	if !strings.Contains(out, "validator 1: subtensor start --home "+filepath.Join(dir, "tn", "node1")) {
		t.Fatalf("output:\n%s", out)
	}
}

// `subtensor version` names the node, the state machine and the embedded
// CometBFT (v1.0.x, ARCHITECTURE decision 1).
func TestVersionNamesAppAndCometBFT(t *testing.T) {
	out, _ := runCLI(t, "version")
	for _, want := range []string{"subtensor ", "app ", "protocol ", "cometbft 1.0.", "declared upgrades:"} {
		if !strings.Contains(out, want) {
			t.Errorf("version output lacks %q:\n%s", want, out)
		}
	}
}
