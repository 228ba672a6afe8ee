package loadtest

import (
	"strings"
	"testing"
	"time"
)

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
	if s := rep.String(); !strings.Contains(s, "load: stake") || !strings.Contains(s, "remove_stake") {
		t.Errorf("report text:\n%s", s)
	}
}

func TestUnknownCall(t *testing.T) {
	if _, err := Run(t.Context(), Options{Call: "burn"}); err == nil || !strings.Contains(err.Error(), "transfer or stake") {
		t.Fatalf("err = %v", err)
	}
}
