package main

import (
	"strings"
	"testing"
)

// A gateway without payments sends no deposit address; btcli printed "<nil>".
func TestDepositAddressShown(t *testing.T) {
	if got := depositAddress("5Grw..."); got != "5Grw..." {
		t.Errorf("an address shows as %q", got)
	}
	for _, v := range []any{nil, ""} {
		if got := depositAddress(v); strings.Contains(got, "nil") || !strings.Contains(got, "--deposit-seed") {
			t.Errorf("%#v shows as %q, want that payments are off", v, got)
		}
	}
}
