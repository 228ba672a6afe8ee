package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `wallet list` says why a wallet's address is unknown (the JSON had the
// reason; the table showed a bare "?").
func TestWalletListSaysWhyAnAddressIsUnknown(t *testing.T) {
	c := newCLI(t)
	os.MkdirAll(filepath.Join(c.root, "broken", "hotkeys"), 0o700)
	os.WriteFile(filepath.Join(c.root, "broken", "coldkeypub.txt"), []byte("{garbage"), 0o600)
	os.WriteFile(filepath.Join(c.root, "broken", "hotkeys", "h1"), []byte("{garbage"), 0o600)
	r := c.run("wallet", "list")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var cold, hot string
	for _, line := range strings.Split(r.stdout, "\n") {
		switch {
		case strings.Contains(line, "Coldkey broken"):
			cold = line
		case strings.Contains(line, "Hotkey h1"):
			hot = line
		}
	}
	if !strings.Contains(cold, "corrupt") || !strings.Contains(cold, "coldkeypub.txt") {
		t.Errorf("coldkey line %q does not say the pub file is corrupt", cold)
	}
	if !strings.Contains(hot, "corrupt") {
		t.Errorf("hotkey line %q does not say the keyfile is corrupt", hot)
	}
}
