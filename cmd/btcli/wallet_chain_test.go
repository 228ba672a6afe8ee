package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/node/nodetest"
)

const charlieSS58 = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y"

// unfundedSS58 is //Audit, an account no genesis profile funds.
const unfundedSS58 = "5DcLgnCnugxoLK85d5u4Zf429hh7CZexpK23bd3zS6ZUfpYL"

// TestWalletAgainstRealNode drives balance, transfer and overview through
// the CLI against an in-process node.
func TestWalletAgainstRealNode(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	c := newCLI(t)
	net := []string{"--chain-endpoint", n.RPC, "--wallet.name", "bob"}
	var k keyJSON
	c.ok(&k, append(net, "wallet", "regen_coldkey", "--uri", "//Bob", "--no-password")...)

	var bal struct {
		Balances []balanceRow `json:"balances"`
	}
	c.ok(&bal, append(net, "wallet", "balance")...)
	if len(bal.Balances) != 1 || bal.Balances[0].Address != k.SS58 || bal.Balances[0].FreeTAO != "τ1000000" {
		t.Fatalf("balance: %+v", bal)
	}

	var tr transferResult
	c.ok(&tr, append(net, "wallet", "transfer", "--dest", charlieSS58, "--amount", "2.5")...)
	if !tr.Included || tr.Height == 0 || tr.Amount != 2_500_000_000 || tr.Fee == 0 {
		t.Fatalf("transfer: %+v", tr)
	}
	// The estimate shown before asking is exactly what was charged.
	if tr.Balance != 1_000_000*raoPerTAO-tr.Amount-tr.Fee {
		t.Fatalf("balance after %d, want %d", tr.Balance, 1_000_000*raoPerTAO-tr.Amount-tr.Fee)
	}
	c.ok(&bal, append(net, "wallet", "balance", "--ss58", charlieSS58)...)
	if bal.Balances[0].Free != 1_000_000*raoPerTAO+2_500_000_000 {
		t.Fatalf("charlie: %+v", bal)
	}

	var ov map[string]any
	c.ok(&ov, append(net, "wallet", "overview")...)
	if ov["coldkey"] != k.SS58 {
		t.Fatalf("overview: %v", ov)
	}

	// Bad input: each a clear error, nothing sent.
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--dest", charlieSS58, "--amount", "99999999"}, ExitError, "cannot cover"},
		{[]string{"--dest", "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Z", "--amount", "1"}, ExitUsage, "checksum"},
		{[]string{"--dest", charlieSS58, "--amount", "1.0000000001"}, ExitUsage, "9 decimals"},
		{[]string{"--dest", charlieSS58, "--amount", "18446744073709551616rao"}, ExitUsage, "2^64"},
		{[]string{"--dest", k.SS58, "--amount", "1"}, ExitError, "TransferToSelf"},
		{[]string{"--dest", unfundedSS58, "--amount", "499rao"}, ExitError, "ExistentialDeposit"},
		{[]string{"--dest", charlieSS58}, ExitUsage, "--amount"},
	} {
		msg := c.fails(tc.code, append(append(net, "wallet", "transfer"), tc.args...)...)
		if !strings.Contains(msg, tc.want) {
			t.Errorf("transfer %v: %q does not mention %q", tc.args, msg, tc.want)
		}
	}
	c.ok(&bal, append(net, "wallet", "balance")...)
	if bal.Balances[0].Free != tr.Balance {
		t.Fatal("a failed transfer changed the balance")
	}
}

func TestUnreachableNode(t *testing.T) {
	c := newCLI(t)
	port := nodetest.FreePort(t)
	msg := c.fails(ExitError, "--chain-endpoint", "http://127.0.0.1:"+itoa(port), "wallet", "balance", "--ss58", charlieSS58)
	if !strings.Contains(msg, "unreachable") || !strings.Contains(msg, "subtensor start") {
		t.Fatalf("message: %q", msg)
	}
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// A network name from a networks file (SDK-SPEC: named endpoints in a config
// file) resolves: here to a port nobody listens on, so the error names that
// endpoint; a malformed file is a usage error naming the file.
func TestNetworkFromNetworksFile(t *testing.T) {
	c := newCLI(t)
	file := filepath.Join(t.TempDir(), "networks.json")
	dead := "http://127.0.0.1:" + itoa(nodetest.FreePort(t))
	os.WriteFile(file, []byte(`{"finney": "`+dead+`"}`), 0o600)
	c.env[client.NetworksFileEnv] = file
	args := []string{"--network", "finney", "wallet", "balance", "--ss58", charlieSS58}
	if msg := c.fails(ExitError, args...); !strings.Contains(msg, "unreachable at "+dead) {
		t.Errorf("network from %s: %q", file, msg)
	}
	os.WriteFile(file, []byte(`{"finney": `), 0o600)
	if msg := c.fails(ExitUsage, args...); !strings.Contains(msg, file) || !strings.Contains(msg, "JSON object") {
		t.Errorf("malformed networks file: %q", msg)
	}
	os.WriteFile(file, []byte(`{}`), 0o600)
	if msg := c.fails(ExitUsage, args...); !strings.Contains(msg, `unknown network "finney"`) || !strings.Contains(msg, file) {
		t.Errorf("unknown name: %q", msg)
	}
}

// frameWriter records what the spinner writes and signals each write.
type frameWriter struct {
	mu     sync.Mutex
	b      strings.Builder
	writes chan struct{}
}

func (w *frameWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.b.Write(p)
	w.mu.Unlock()
	select {
	case w.writes <- struct{}{}:
	default:
	}
	return len(p), nil
}

// The spinner draws while the work runs and has erased itself, for good,
// when spinTo returns: a frame written after that would land on the
// result's line.
func TestSpinnerErasesItselfBeforeReturning(t *testing.T) {
	w := &frameWriter{writes: make(chan struct{}, 1)}
	err := spinTo(w, "waiting for the block...", time.Millisecond, func() error {
		for range 3 { // the work lasts at least three frames
			<-w.writes
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	out := w.b.String()
	w.mu.Unlock()
	clear := "\r" + strings.Repeat(" ", len("waiting for the block...")+4) + "\r"
	if !strings.Contains(out, "| waiting for the block...") || !strings.HasSuffix(out, clear) {
		t.Fatalf("spinner output %q: want frames, then the erase last", out)
	}
}
