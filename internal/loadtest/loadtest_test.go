package loadtest

import (
	"os"
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

func TestUnknownCall(t *testing.T) {
	if _, err := Run(t.Context(), Options{Call: "burn"}); err == nil || !strings.Contains(err.Error(), "transfer or stake") {
		t.Fatalf("err = %v", err)
	}
}
