package main

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/client"
)

// TestMetagraphConsensusNote: on a new subnet a validator with a small stake sets weights;
// the owner's hotkey holds most of the permit holders' stake weight and sets none, so
// every consensus stays 0 and `subnets metagraph` says why, with the validator's share.
// There is no note before any weights are set, nor once the validator stakes enough.
func TestMetagraphConsensusNote(t *testing.T) {
	t.Parallel()
	start := time.Now()
	w := startWeightsNode(t, []uint64{1}, 0, 2)
	netuid := strconv.Itoa(int(w.netuid))
	m := w.metagraph()
	v0 := slices.Index(m.Hotkeys, w.validators[0])
	owner := slices.Index(m.Hotkeys, w.owner)
	miners := fmt.Sprintf("%d,%d", slices.Index(m.Hotkeys, w.miners[0]), slices.Index(m.Hotkeys, w.miners[1]))
	const noteStart = "Why consensus and incentive are 0"

	// The owner's hotkey (uid 0, permit always) takes a stake that outweighs the validator's.
	w.submit(kp(t, "//Alice"), client.AddStake(w.owner, w.netuid, 100*tao, 0, false))
	r := w.run(w.as("bob", "subnets", "metagraph", netuid)...)
	if r.code != 0 || strings.Contains(r.stdout, noteStart) {
		t.Fatalf("metagraph before any weights:\n%s%s", r.stdout, r.stderr)
	}
	var res weightsResult
	w.ok(&res, w.asHot("v0", "weights", "set", "--netuid", netuid, "--uids", miners, "--weights", "1,1")...)
	m = w.metagraph()
	w.waitBlock(m.NextEpochBlock)
	// The epoch after the weights: every consensus is 0, and the note gives the validator's
	// share of the stake weight of the active permit holders (the owner's hotkey and v0; the
	// miners have no permit), stake weight = alpha + tao_weight·root.
	w.waitBlock(m.NextEpochBlock)
	m = w.metagraph()
	if slices.ContainsFunc(m.Consensus, func(c uint16) bool { return c != 0 }) {
		t.Fatalf("consensus %v, want all 0 (owner stake %d, validator %d)", m.Consensus, m.Stake[owner], m.Stake[v0])
	}
	var total, mine float64
	for i := range m.N {
		if m.ValidatorPermit[i] && m.Active[i] {
			sw := float64(m.Stake[i]) + float64(m.RootStake[i])*float64(m.TaoWeightPPM)/1e6
			total += sw
			if i == v0 {
				mine = sw
			}
		}
	}
	r = w.run(w.as("bob", "subnets", "metagraph", netuid)...)
	got := regexp.MustCompile(`setting weights \(uid (\d+)\) hold (\d+\.\d)% of the active validators' stake weight`).FindStringSubmatch(r.stdout)
	if r.code != 0 || got == nil {
		t.Fatalf("metagraph lacks the note:\n%s%s", r.stdout, r.stderr)
	}
	share, _ := strconv.ParseFloat(got[2], 64)
	if want := 100 * mine / total; got[1] != strconv.Itoa(v0) || share > want || share < want-0.11 {
		t.Errorf("note says uid %s holds %s%%, want uid %d with %.3f%%:\n%s", got[1], got[2], v0, want, r.stdout)
	}
	for _, want := range []string{"kappa = 50.0% (32767/65535)", fmt.Sprintf("uid %d (", owner), "owner, inactive after block", "activity_cutoff", "btcli stake add --netuid " + netuid} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("note lacks %q:\n%s", want, r.stdout)
		}
	}
	// JSON stays the chain's columns.
	r = w.run(w.as("bob", "--json", "subnets", "metagraph", netuid)...)
	if r.code != 0 || strings.Contains(r.stdout, noteStart) {
		t.Errorf("metagraph --json:\n%s%s", r.stdout, r.stderr)
	}

	// The validator stakes a majority: the next epoch finds consensus and there is no note.
	w.submit(kp(t, "//Bob"), client.AddStake(w.validators[0], w.netuid, 1000*tao, 0, false))
	w.waitBlock(m.NextEpochBlock)
	m = w.metagraph()
	if !slices.ContainsFunc(m.Consensus, func(c uint16) bool { return c != 0 }) {
		t.Fatalf("consensus still 0 after staking: stake %v", m.Stake)
	}
	r = w.run(w.as("bob", "subnets", "metagraph", netuid)...)
	if r.code != 0 || strings.Contains(r.stdout, noteStart) {
		t.Errorf("metagraph with consensus shows the note:\n%s%s", r.stdout, r.stderr)
	}
	t.Logf("total %v", time.Since(start))
}

// TestFindConsensusStall: which uids count, as the epoch counts them (active, permitted,
// stake weight with root at tao_weight, weights newer than the weighted uid).
func TestFindConsensusStall(t *testing.T) {
	hp := map[string]uint64{"tempo": 20, "kappa": 32767, "activity_cutoff_factor_milli": 13889, "max_allowed_validators": 64}
	// uid 0 owner, 1 validator, 2 and 3 miners; the validator weights both miners.
	base := func() api.Metagraph {
		return api.Metagraph{
			Netuid: 1, Block: 1000, N: 4, NextEpochBlock: 1010, TaoWeightPPM: 180_000,
			Hotkeys: []string{"o", "v", "m2", "m3"}, ValidatorPermit: []bool{true, true, false, false},
			Stake: []uint64{70 * tao, 20 * tao, 0, 0}, RootStake: make([]uint64, 4),
			LastUpdate: []uint64{900, 950, 900, 900}, RegisteredAt: []uint64{900, 900, 900, 900},
			Consensus: make([]uint16, 4), Weights: [][][2]uint16{{}, {{2, 65535}, {3, 65535}}, {}, {}},
		}
	}
	for _, tc := range []struct {
		name  string
		edit  func(m *api.Metagraph)
		share string // "" = no stall
		idle  []int
	}{
		{"owner outweighs", func(*api.Metagraph) {}, "22.2%", []int{0}},
		{"root stake counts at tao_weight", func(m *api.Metagraph) { m.RootStake[1] = 300 * tao }, "", nil},
		{"just below kappa", func(m *api.Metagraph) { m.Stake[1] = 69 * tao }, "49.6%", []int{0}},
		{"owner inactive", func(m *api.Metagraph) { m.LastUpdate[0] = 1010 - 277 - 1 }, "", nil},
		{"owner active at the epoch block", func(m *api.Metagraph) { m.LastUpdate[0] = 1010 - 277 }, "22.2%", []int{0}},
		{"miner with permit and stake", func(m *api.Metagraph) {
			m.Stake[0], m.Stake[2], m.ValidatorPermit[2] = 10*tao, 30*tao, true
		}, "33.3%", []int{0, 2}},
		{"miner without permit does not count", func(m *api.Metagraph) { m.Stake[0], m.Stake[2] = 10*tao, 30*tao }, "", nil},
		{"weights older than the miners", func(m *api.Metagraph) { m.RegisteredAt[2], m.RegisteredAt[3] = 950, 960 }, "", nil},
		{"owner self-weight only", func(m *api.Metagraph) { m.Weights = [][][2]uint16{{{0, 65535}}, {}, {}, {}} }, "", nil},
		{"no weights", func(m *api.Metagraph) { m.Weights = [][][2]uint16{{}, {}, {}, {}} }, "", nil},
		{"zero weights", func(m *api.Metagraph) { m.Weights[1] = [][2]uint16{{2, 0}} }, "", nil},
	} {
		m := base()
		tc.edit(&m)
		s, ok := findConsensusStall(m, hp, "o")
		if ok != (tc.share != "") {
			t.Errorf("%s: stall %v, want %v", tc.name, ok, tc.share != "")
			continue
		}
		if !ok {
			continue
		}
		var idle []int
		for _, v := range s.idle {
			idle = append(idle, v.uid)
		}
		if got := percent(s.share()); got != tc.share || !slices.Equal(idle, tc.idle) || !slices.Equal(s.setters, []int{1}) {
			t.Errorf("%s: share %s, idle %v, setters %v; want %s, %v, [1]", tc.name, got, idle, s.setters, tc.share, tc.idle)
		}
		// The stake weight it says the validator lacks brings it to kappa.
		idleStake := uint64(0)
		for _, v := range s.idle {
			idleStake += v.stake
		}
		if need := s.needed(); float64(s.setterStake+need)/float64(s.setterStake+need+idleStake) < 32767.0/65535 ||
			float64(s.setterStake+need-1)/float64(s.setterStake+need-1+idleStake) >= 32767.0/65535 {
			t.Errorf("%s: needed %d", tc.name, need)
		}
	}
}
