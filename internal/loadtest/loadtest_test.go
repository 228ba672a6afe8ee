package loadtest

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	ServeNodeIfChild() // Run re-executes this test binary as the node
	os.Exit(m.Run())
}

// TestStakeLoad runs the stake load briefly: the subnet is set up and both calls commit.
func TestStakeLoad(t *testing.T) {
	rep, err := Run(t.Context(), Options{Duration: 2 * time.Second, Senders: 4, BlockTime: 100 * time.Millisecond, Call: CallStake, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Call != CallStake || rep.CommittedByCall["add_stake"] == 0 || rep.CommittedByCall["remove_stake"] == 0 ||
		rep.CommittedByCall["add_stake"]+rep.CommittedByCall["remove_stake"] != rep.Committed {
		t.Fatalf("report: %+v", rep)
	}
	// The node ran in its own process: its CPU and memory are measured apart.
	if rep.NodeCPUPerTx <= 0 || rep.NodeCPUPerTx >= rep.CPUPerTx || rep.MaxRSSBytes <= 0 {
		t.Errorf("node CPU %v of %v per tx, node RSS %d", rep.NodeCPUPerTx, rep.CPUPerTx, rep.MaxRSSBytes)
	}
	if s := rep.String(); !strings.Contains(s, "load: stake") || !strings.Contains(s, "remove_stake") {
		t.Errorf("report text:\n%s", s)
	}
}

// TestTransferLoadBothPaths runs the transfer load through the REST facade's raw
// submission and through JSON-RPC: transactions commit either way, and the
// verify cost is sampled during the load (Linux).
func TestTransferLoadBothPaths(t *testing.T) {
	for _, path := range []string{SubmitREST, SubmitRPC} {
		rep, err := Run(t.Context(), Options{Duration: 2 * time.Second, Senders: 4, BlockTime: 100 * time.Millisecond, Submit: path, Dir: t.TempDir()})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if rep.Submit != path || rep.Committed == 0 || rep.CommittedByCall["transfer"] != rep.Committed || rep.Rejected > int64(rep.Senders) {
			t.Fatalf("%s: report %+v", path, rep)
		}
		if runtime.GOOS == "linux" && (rep.VerifyInLoadNs <= 0 || rep.NodeCPUOverVerifyInLoad <= 0) {
			t.Errorf("%s: no in-load verify samples: %+v", path, rep)
		}
	}
	if _, err := Run(t.Context(), Options{Submit: "carrier-pigeon"}); err == nil || !strings.Contains(err.Error(), "rest or rpc") {
		t.Fatalf("unknown submit path: %v", err)
	}
}

func TestUnknownCall(t *testing.T) {
	if _, err := Run(t.Context(), Options{Call: "burn"}); err == nil || !strings.Contains(err.Error(), "transfer or stake") {
		t.Fatalf("err = %v", err)
	}
}
