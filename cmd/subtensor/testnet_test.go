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
