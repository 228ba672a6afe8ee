package main

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/subnets"
)

func TestEpochEventNames(t *testing.T) {
	if evTempoSet != epoch.EventTempoSet || evEpochTriggered != epoch.EventEpochTriggered {
		t.Errorf("CLI events %q %q, chain %q %q", evTempoSet, evEpochTriggered, epoch.EventTempoSet, epoch.EventEpochTriggered)
	}
	if maxTempo != subnets.MaxTempo {
		t.Errorf("maxTempo %d, chain %d", maxTempo, subnets.MaxTempo)
	}
}

// waitState waits until queries see the state after block h.
func (c *chainCLI) waitState(h uint64) {
	c.t.Helper()
	cl := c.dial()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		p, err := cl.Params(c.t.Context())
		if err != nil {
			c.t.Fatal(err)
		}
		if p.Height >= int64(h) {
			return
		}
		select {
		case <-c.t.Context().Done():
			c.t.Fatal(c.t.Context().Err())
		case <-tick.C:
		}
	}
}

// TestOwnerEpochControlsAgainstRealNode drives set-tempo and trigger-epoch through the
// CLI against a real node: bad input refused before signing, the tempo change restarting
// the cycle, its rate limit naming the next allowed block, a trigger whose epoch runs at
// exactly the block the CLI promised, and the admin freeze window refusing the owner's
// changes (not sudo's) while it is pending.
func TestOwnerEpochControlsAgainstRealNode(t *testing.T) {
	c := startChainCLI(t)
	c.wallet("alice", "//Alice", "//AliceHot") // sudo
	c.wallet("bob", "//Bob", "//BobHot")       // subnet owner
	var cr createResult
	c.ok(&cr, c.as("bob", "subnets", "create", "--subnet-name", "ticker")...)
	netuid := strconv.Itoa(int(cr.Netuid))

	c.failsWith(ExitUsage, []string{"--tempo is required"}, c.as("bob", "subnets", "set-tempo", "--netuid", netuid)...)
	c.failsWith(ExitUsage, []string{"--tempo 5 is outside 10..50400"}, c.as("bob", "subnets", "set-tempo", "--netuid", netuid, "--tempo", "5")...)
	c.failsWith(ExitError, []string{"NotSubnetOwner", "use the owner's wallet"}, c.as("alice", "subnets", "set-tempo", "--netuid", netuid, "--tempo", "100")...)
	c.failsWith(ExitError, []string{"NotSubnetOwner"}, c.as("alice", "subnets", "trigger-epoch", "--netuid", netuid)...)

	var st setTempoResult
	c.ok(&st, c.as("bob", "subnets", "set-tempo", "--netuid", netuid, "--tempo", "1000")...)
	if st.Tempo != 1000 || st.OldTempo != 20 || st.NextEpochBlock != uint64(st.Block)+1000 {
		t.Fatalf("set-tempo: %+v", st)
	}
	c.failsWith(ExitError, []string{"TxRateLimitExceeded", fmt.Sprintf("next allowed at block %d", st.Block+10)},
		c.as("bob", "subnets", "set-tempo", "--netuid", netuid, "--tempo", "900")...)

	// A freeze window long enough that the checks below run inside it on a 100 ms block
	// time (the localnet profile's is 1 block); set after the tempo, which it would freeze.
	const window = 40
	var set sudoSetResult
	c.ok(&set, c.as("alice", "sudo", "set", "--param", "admin_freeze_window", "--value", strconv.Itoa(window))...)

	// Commit-reveal on: the CLI refuses before signing and says how to turn it off.
	c.ok(&set, c.as("alice", "sudo", "set", "--netuid", netuid, "--param", "commit_reveal_weights_enabled", "--value", "true")...)
	c.failsWith(ExitError, []string{"DynamicTempoBlockedByCommitReveal", "commit_reveal_weights_enabled --value false"},
		c.as("bob", "subnets", "trigger-epoch", "--netuid", netuid)...)
	c.ok(&set, c.as("alice", "sudo", "set", "--netuid", netuid, "--param", "commit_reveal_weights_enabled", "--value", "false")...)

	cl := c.dial()
	before, err := cl.Metagraph(t.Context(), cr.Netuid, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	var tr triggerEpochResult
	c.ok(&tr, c.as("bob", "subnets", "trigger-epoch", "--netuid", netuid)...)
	if tr.FiresAt != uint64(tr.Block)+window {
		t.Fatalf("trigger-epoch: %+v, want fires_at = block + %d", tr, window)
	}
	// Pending: a second trigger and the owner's changes are refused, naming the block; sudo's pass.
	c.failsWith(ExitError, []string{"EpochTriggerAlreadyPending", fmt.Sprintf("block %d", tr.FiresAt)},
		c.as("bob", "subnets", "trigger-epoch", "--netuid", netuid)...)
	c.failsWith(ExitError, []string{"AdminActionProhibitedDuringWeightsWindow", fmt.Sprintf("from block %d", tr.FiresAt)},
		c.as("bob", "sudo", "set", "--netuid", netuid, "--param", "rho", "--value", "11")...)
	c.ok(&set, c.as("alice", "sudo", "set", "--netuid", netuid, "--param", "rho", "--value", "12")...)
	if h, err := cl.LatestHeight(t.Context()); err != nil || uint64(h) >= tr.FiresAt {
		t.Fatalf("the checks above ran until block %d, past the trigger's block %d (%v): the node is too slow for this test", h, tr.FiresAt, err)
	}

	// The epoch runs at exactly the promised block, not before.
	c.waitState(tr.FiresAt)
	prev, err := cl.Metagraph(t.Context(), cr.Netuid, int64(tr.FiresAt-1), false)
	if err != nil {
		t.Fatal(err)
	}
	at, err := cl.Metagraph(t.Context(), cr.Netuid, int64(tr.FiresAt), false)
	if err != nil {
		t.Fatal(err)
	}
	if prev.EpochIndex != before.EpochIndex || prev.NextEpochBlock != tr.FiresAt ||
		at.EpochIndex != before.EpochIndex+1 || at.NextEpochBlock != tr.FiresAt+1000 {
		t.Fatalf("epoch index %d before the trigger, %d after block %d (next %d), %d after block %d (next %d); want one epoch at block %d",
			before.EpochIndex, prev.EpochIndex, tr.FiresAt-1, prev.NextEpochBlock, at.EpochIndex, tr.FiresAt, at.NextEpochBlock, tr.FiresAt)
	}
	// Open again: the owner's change goes through.
	c.ok(&set, c.as("bob", "sudo", "set", "--netuid", netuid, "--param", "rho", "--value", "11")...)
	if set.As != "owner" || set.Value != 11 {
		t.Fatalf("owner set after the epoch: %+v", set)
	}
}
