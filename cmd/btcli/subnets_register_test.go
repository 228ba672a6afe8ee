package main

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
)

// pruneModel restates reference §4.3 HEAD get_neuron_to_prune over a copy of a subnet's
// neurons, independently of chain/neurons, to predict which uid each registration on a
// full subnet replaces.
type pruneModel struct {
	neurons      []api.Neuron // by uid
	immortal     uint16       // the owner hotkey's uid; the owner coldkey has no other hotkey here
	immunity     uint64
	minNonImmune uint64

	// What the picks exercised.
	freePicks, immunePicks int
	olderOverLowerUID      int // a non-immune pick with a lower-uid, later-registered candidate
}

// pick returns the uid a registration at block now replaces and whether it was immune:
// skip the immortal uid; among the rest the lowest emission, then the earliest
// registration, then the lowest uid, separately for non-immune and immune uids; the
// non-immune choice only when more than min_non_immune_uids are non-immune.
func (m *pruneModel) pick(now uint64) (uid uint16, immune bool) {
	less := func(a, b api.Neuron) bool {
		if a.Emission != b.Emission {
			return a.Emission < b.Emission
		}
		if a.RegisteredAt != b.RegisteredAt {
			return a.RegisteredAt < b.RegisteredAt
		}
		return a.UID < b.UID
	}
	var free, imm *api.Neuron
	nonImmune, lowestFreeUID := 0, -1
	for i := range m.neurons {
		n := &m.neurons[i]
		if n.UID == m.immortal {
			continue
		}
		if now-min(now, n.RegisteredAt) < m.immunity {
			if imm == nil || less(*n, *imm) {
				imm = n
			}
			continue
		}
		nonImmune++
		if lowestFreeUID < 0 {
			lowestFreeUID = int(n.UID)
		}
		if free == nil || less(*n, *free) {
			free = n
		}
	}
	switch {
	case free != nil && uint64(nonImmune) > m.minNonImmune:
		m.freePicks++
		if int(free.UID) > lowestFreeUID {
			m.olderOverLowerUID++
		}
		return free.UID, false
	case imm != nil:
		m.immunePicks++
		return imm.UID, true
	case free != nil:
		m.freePicks++
		return free.UID, false
	}
	panic("no uid to prune")
}

// regOutcome is one burned_register's outcome, for the model.
type regOutcome struct {
	hotkey string
	r      *client.Receipt
}

// apply checks each registration of a full subnet, in execution order (block, then
// nonce: one payer), against the model's pick and updates the model.
func (m *pruneModel) apply(t *testing.T, regs []regOutcome) {
	t.Helper()
	slices.SortFunc(regs, func(a, b regOutcome) int {
		return cmp.Or(cmp.Compare(a.r.Height, b.r.Height), cmp.Compare(a.r.Nonce, b.r.Nonce))
	})
	for _, reg := range regs {
		now := uint64(reg.r.Height)
		uid, immune := m.pick(now)
		ev, ok := reg.r.Event(evNeuronReplaced)
		if !ok {
			t.Fatalf("registration of %s in block %d replaced nothing on a full subnet", reg.hotkey, now)
		}
		old := m.neurons[uid]
		got := fmt.Sprintf("uid %s immune %s old %s@%s emission %s → %s", ev["uid"], ev["immune"], ev["old_hotkey"], ev["old_registered_at"], ev["old_emission"], ev["hotkey"])
		want := fmt.Sprintf("uid %d immune %t old %s@%d emission %d → %s", uid, immune, old.Hotkey, old.RegisteredAt, old.Emission, reg.hotkey)
		if got != want {
			t.Fatalf("block %d nonce %d: chain replaced %s\nHEAD rule says %s (reason given: %s)", now, reg.r.Nonce, got, want, ev["reason"])
		}
		if why := "non-immune uids"; immune && !strings.Contains(ev["reason"], "min_non_immune_uids") || !immune && !strings.Contains(ev["reason"], why) {
			t.Fatalf("block %d: replaced uid %d (immune %t) with reason %q", now, uid, immune, ev["reason"])
		}
		if b, _ := reg.r.Event(evBurned); b["uid"] != strconv.Itoa(int(uid)) {
			t.Fatalf("Burned event uid %s, replaced uid %d", b["uid"], uid)
		}
		m.neurons[uid] = api.Neuron{UID: uid, Hotkey: reg.hotkey, RegisteredAt: now}
	}
}

// registerMany registers hotkeys on netuid paid by payer, concurrently through one
// client (its nonce manager keeps them in order), and waits for every block.
func registerMany(t *testing.T, cl *client.Client, payer *keys.Keypair, netuid uint16, hotkeys []string) []regOutcome {
	t.Helper()
	out := make([]regOutcome, len(hotkeys))
	errs := make([]error, len(hotkeys))
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i, hk := range hotkeys {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i].hotkey = hk
			out[i].r, errs[i] = cl.Submit(t.Context(), payer, client.BurnedRegister(netuid, hk), client.SubmitOptions{Wait: client.WaitFinal})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("register %s: %v", hotkeys[i], err)
		}
	}
	return out
}

func devHotkeys(t *testing.T, prefix string, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		out[i] = ss58(t, fmt.Sprintf("//%s/%d", prefix, i))
	}
	return out
}

// TestRegistrationPruning registers 300 hotkeys into a 256-uid subnet (a few through the
// CLI, the rest through the client) and checks every replaced uid against the HEAD rule
// (reference §4.3): the owner's uid 0 never; non-immune uids first while more than
// min_non_immune_uids are non-immune, by lowest emission, then earliest registration,
// then lowest uid; else the immune uid chosen the same way.
func TestRegistrationPruning(t *testing.T) {
	c := startChainCLI(t)
	c.wallet("alice", "//Alice", "//AliceHot") // sudo
	c.wallet("bob", "//Bob", "//BobHot")       // owner
	c.wallet("charlie", "//Charlie", "//CharlieHot")
	cl := c.dial()
	dave, err := keys.FromURI("//Dave")
	if err != nil {
		t.Fatal(err)
	}
	var cr createResult
	c.ok(&cr, c.as("bob", "subnets", "create", "--subnet-name", "crowded")...)
	netuid := strconv.Itoa(int(cr.Netuid))
	var set sudoSetResult
	// The owner shortens immunity; sudo lifts the per-block limit (the bulk goes in a few
	// blocks) and lowers max_burn so 300 registrations cost little.
	c.ok(&set, c.as("bob", "sudo", "set", "--netuid", netuid, "--param", "immunity_period", "--value", "10")...)
	c.ok(&set, c.as("alice", "sudo", "set", "--netuid", netuid, "--param", "max_registrations_per_block", "--value", "256")...)
	c.ok(&set, c.as("alice", "sudo", "set", "--netuid", netuid, "--param", "max_burn", "--value", "200000000")...)

	// Fill: 3 through the CLI, 252 through the client: uids 1..255 appended in order.
	for i := 1; i <= 4; i++ {
		var k keyJSON
		c.ok(&k, "--wallet.name", "charlie", "--wallet.hotkey", fmt.Sprint("h", i), "wallet", "new_hotkey", "--no-password")
	}
	for i := 1; i <= 3; i++ {
		var reg registerResult
		c.ok(&reg, c.as("charlie", "--wallet.hotkey", fmt.Sprint("h", i), "subnets", "register", "--netuid", netuid)...)
		if reg.UID != uint16(i) || reg.Replaced != nil || reg.Cost > 200_000_000 {
			t.Fatalf("CLI register %d: %+v", i, reg)
		}
	}
	fill := registerMany(t, cl, dave, cr.Netuid, devHotkeys(t, "fill", 252))
	var uids []int
	for _, reg := range fill {
		if _, ok := reg.r.Event(evNeuronReplaced); ok {
			t.Fatalf("%s replaced a uid below max_allowed_uids", reg.hotkey)
		}
		b, _ := reg.r.Event(evBurned)
		uids = append(uids, int(attrU64(b, "uid")))
	}
	slices.Sort(uids)
	if len(uids) != 252 || uids[0] != 4 || uids[251] != 255 || len(slices.Compact(uids)) != 252 {
		t.Fatalf("filled uids %v", uids)
	}
	var show struct {
		Subnet  api.Subnet
		Neurons []api.Neuron
	}
	c.ok(&show, c.as("bob", "subnets", "show", "--netuid", netuid)...)
	if show.Subnet.Neurons != 256 || len(show.Neurons) != 256 {
		t.Fatalf("after filling: %d neurons", show.Subnet.Neurons)
	}

	model := &pruneModel{neurons: show.Neurons, immortal: 0, immunity: 10}
	waitImmunityOver := func() {
		t.Helper()
		last := uint64(0)
		for _, n := range model.neurons {
			last = max(last, n.RegisteredAt)
		}
		if err := c.n.WaitHeight(t.Context(), int64(last+model.immunity)); err != nil {
			t.Fatal(err)
		}
	}
	// Sudo raises min_non_immune_uids to 245 so a batch runs out of non-immune uids.
	c.ok(&set, c.as("alice", "sudo", "set", "--netuid", netuid, "--param", "min_non_immune_uids", "--value", "245")...)
	model.minNonImmune = 245

	// Round 1, everyone non-immune: 10 non-immune picks by earliest registration
	// (uids 1..10), then immune ones among the newcomers.
	waitImmunityOver()
	model.apply(t, registerMany(t, cl, dave, cr.Netuid, devHotkeys(t, "r1", 20)))
	// Round 2, everyone non-immune again: uids 1..10 were re-registered in round 1, so
	// the earliest registrations are now uids 11.. although 1..10 are lower.
	waitImmunityOver()
	model.apply(t, registerMany(t, cl, dave, cr.Netuid, devHotkeys(t, "r2", 24)))

	// The 300th through the CLI, which reports what it replaced and why.
	var reg registerResult
	c.ok(&reg, c.as("charlie", "--wallet.hotkey", "h4", "subnets", "register", "--netuid", netuid)...)
	uid, immune := model.pick(uint64(reg.Block))
	if reg.Replaced == nil || reg.UID != uid || reg.Replaced.UID != uid || reg.Replaced.Immune != immune ||
		reg.Replaced.OldHotkey != model.neurons[uid].Hotkey || reg.Replaced.OldRegisteredAt != model.neurons[uid].RegisteredAt || reg.Replaced.Reason == "" {
		t.Fatalf("CLI register on a full subnet: %+v, HEAD rule says uid %d (immune %t, was %+v)", reg, uid, immune, model.neurons[uid])
	}
	model.neurons[uid] = api.Neuron{UID: uid, Hotkey: reg.Hotkey, RegisteredAt: uint64(reg.Block)}

	if model.freePicks == 0 || model.immunePicks == 0 || model.olderOverLowerUID == 0 {
		t.Errorf("picks did not exercise the rule: %d non-immune, %d immune, %d earliest-over-lowest-uid",
			model.freePicks, model.immunePicks, model.olderOverLowerUID)
	}
	t.Logf("300 registrations: %d non-immune and %d immune replacements, %d where an earlier registration beat a lower uid",
		model.freePicks, model.immunePicks, model.olderOverLowerUID)

	// The chain's neurons are the model's.
	c.ok(&show, c.as("bob", "subnets", "show", "--netuid", netuid)...)
	if len(show.Neurons) != 256 || show.Neurons[0].Hotkey != ss58(t, "//BobHot") {
		t.Fatalf("owner uid 0 lost: %+v", show.Neurons[0])
	}
	for i, n := range show.Neurons {
		if m := model.neurons[i]; n.UID != m.UID || n.Hotkey != m.Hotkey || n.RegisteredAt != m.RegisteredAt {
			t.Fatalf("uid %d: chain %+v, model %+v", i, n, m)
		}
	}
}
