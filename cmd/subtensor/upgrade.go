package main

// Software upgrades (CHAIN-SPEC "Governance"; docs/governance.md, "Upgrades"). Once a
// passed upgrade plan's height is reached, a node whose binary does not declare the plan's
// name executes no more blocks: chain/app's FinalizeBlock refuses block H. CometBFT reports
// that as a "CONSENSUS FAILURE!!!" line with a stack trace and keeps the process alive
// without producing blocks; a restart fails inside CometBFT's handshake replay, which keeps
// only the error's text; and CometBFT's block sync (a node catching up from its peers)
// panics. subtensor notices all three, prints what to install as its final lines and exits
// with exitUpgradeNeeded, so an operator or a supervisor sees one clear reason: the first
// two after stopping the node, block sync from inside the refused block (haltWhileSyncing).

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/app"
	"github.com/gotensor/gotensor/chain/governance"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/node"
)

// exitUpgradeNeeded is subtensor's exit code when this binary cannot go past a scheduled
// upgrade (1 is any other error). Supervisors may rely on it.
const exitUpgradeNeeded = 3

// exitForUpgrade prints u's explanation to stderr and exits with exitUpgradeNeeded.
func exitForUpgrade(u *upgradeNeededError) {
	fmt.Fprintln(os.Stderr, u.Error())
	os.Exit(exitUpgradeNeeded)
}

// haltWhileSyncing is node.Config.OnUpgradeHaltWhileSyncing for start and localnet: block
// sync reached the upgrade's height, and CometBFT panics as soon as this returns and
// cannot be stopped before, so the process exits from here, as after a crash (see the
// field's comment: the state up to the block before is committed).
func haltWhileSyncing(l *slog.Logger) func(app.UpgradeHalt) {
	return func(h app.UpgradeHalt) {
		l.Warn("block sync reached an upgrade this binary does not declare; exiting without stopping the node (safe: the state up to the block before is committed)",
			"name", h.Name, "block", h.Block)
		exitForUpgrade(&upgradeNeededError{name: h.Name, info: h.Info, height: h.Height, next: h.Block})
	}
}

// upgradeNeededError says which upgrade stopped the node and what to do.
type upgradeNeededError struct {
	name, info string
	height     uint64 // the plan's height
	next       uint64 // the block the node could not execute (≥ height)
}

func (e *upgradeNeededError) Error() string {
	info := ""
	if e.info != "" {
		info = " (" + e.info + ")"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "UPGRADE NEEDED: governance scheduled the software upgrade %q for block %d%s.\n", e.name, e.height, info)
	fmt.Fprintf(&b, "This binary (subtensor %s, declared upgrades: %s) does not declare %q, so the node stopped before block %d; the state up to block %d is intact.\n",
		version, declaredList(), e.name, e.next, e.next-1)
	fmt.Fprintf(&b, "Install a subtensor release that declares %q (`subtensor version` lists what a binary declares) and start it with the same --home; it resumes at block %d. See docs/governance.md.",
		e.name, e.next)
	return b.String()
}

// withDeclared returns known plus the comma-separated names in list that it lacks.
func withDeclared(known []string, list string) []string {
	out := slices.Clone(known)
	for _, name := range strings.Split(list, ",") {
		if name = strings.TrimSpace(name); name != "" && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// declares reports whether this binary implements the named upgrade.
func declares(name string) bool { return slices.Contains(node.KnownUpgrades, name) }

// declaredList names the upgrades this binary declares (node.KnownUpgrades), for people.
func declaredList() string {
	if len(node.KnownUpgrades) == 0 {
		return "none"
	}
	return strings.Join(node.KnownUpgrades, ", ")
}

// upgradeHalt reports the upgrade this node stopped at: the next block to execute is at
// or past the plan's height (chain/app refuses every such block while the plan is in
// state, not only the first) and is decided and stored, but the application, which does
// not declare the plan, stays behind it. nil while the node runs on.
func upgradeHalt(ctx context.Context, n *node.Node) *upgradeNeededError {
	local := n.Local()
	q, err := local.ABCIQuery(ctx, api.PathGovParams, nil)
	if err != nil || q.Response.Code != 0 {
		return nil
	}
	var gp api.GovernanceParams
	if err := json.Unmarshal(q.Response.Value, &gp); err != nil || gp.UpgradeName == "" || declares(gp.UpgradeName) {
		return nil
	}
	info, err := local.ABCIInfo(ctx)
	if err != nil {
		return nil
	}
	st, err := local.Status(ctx) // the block store's height: decided blocks
	if err != nil {
		return nil
	}
	if app := info.Response.LastBlockHeight; app+1 >= int64(gp.UpgradeHeight) && st.SyncInfo.LatestBlockHeight > app {
		return &upgradeNeededError{name: gp.UpgradeName, info: gp.UpgradeInfo, height: gp.UpgradeHeight, next: uint64(app) + 1}
	}
	return nil
}

// waitUpgradeHalt returns nil when ctx ends, or the upgrade the node halted at.
func waitUpgradeHalt(ctx context.Context, n *node.Node) *upgradeNeededError {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if u := upgradeHalt(ctx, n); u != nil {
			return u
		}
	}
}

// upgradeOnDisk explains a failed start: when home's committed state holds an upgrade plan
// this binary does not declare and the next block is at or past its height, that is why
// the node cannot go on (CometBFT's handshake replay failed on it). Otherwise nil.
func upgradeOnDisk(home string) *upgradeNeededError {
	dir := node.StateDir(home)
	if _, err := os.Stat(dir); err != nil {
		return nil
	}
	tree, err := store.OpenTree(dir)
	if err != nil {
		return nil
	}
	defer tree.Close()
	plan, ok := governance.Upgrade(tree)
	if !ok || declares(plan.Name) || uint64(tree.Version())+1 < plan.Height {
		return nil
	}
	return &upgradeNeededError{name: plan.Name, info: plan.Info, height: plan.Height, next: uint64(tree.Version()) + 1}
}
