package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestExitCodes(t *testing.T) {
	wallets := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		code int
		say  string
	}{
		{"help", []string{"--help"}, 0, "Usage: template-miner"},
		{"bad flag value", []string{"--netuid", "x"}, 2, "netuid"},
		{"bad config", []string{"--neuron.moving_average_alpha", "2"}, 2, "moving_average_alpha"},
		{"missing config file", []string{"--config", filepath.Join(wallets, "none.toml")}, 2, "config file"},
		{"no hotkey", []string{"--wallet.path", wallets, "--wallet.name", "nobody"}, 1, "btcli wallet new_hotkey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if code := run(tc.args, &out); code != tc.code || !strings.Contains(out.String(), tc.say) {
				t.Fatalf("exit %d, want %d; output:\n%s", code, tc.code, out.String())
			}
		})
	}
}
