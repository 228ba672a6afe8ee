package neuron

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gotensor/gotensor/keys"
)

// Scores is a validator's exponential moving average of rewards per uid:
//
//	s_i ← α·r_i + (1 − α)·s_i   for each uid i rewarded this step
//
// As the template's update_scores (reference §6.1), with two differences: a uid not
// queried this step keeps its score (the template decays every unqueried uid toward 0, so a
// miner's score depends on how often it is sampled), and a uid whose hotkey changed starts
// again from 0 (the template does this only on resync; here Resync is the one place uids
// change). A Scores is owned by one goroutine; it is not safe for concurrent use.
type Scores struct {
	alpha   float64
	values  []float64
	hotkeys []keys.PublicKey
}

// NewScores returns empty scores with smoothing factor alpha in (0, 1]; out-of-range
// values mean DefaultMovingAverageAlpha.
func NewScores(alpha float64) *Scores {
	if !(alpha > 0 && alpha <= 1) {
		alpha = DefaultMovingAverageAlpha
	}
	return &Scores{alpha: alpha}
}

// Resync aligns the scores with the metagraph's hotkeys (one per uid): a uid whose hotkey
// changed, or that is new, starts at 0; uids past the end are dropped. It returns the uids
// that were reset.
func (s *Scores) Resync(hotkeys []keys.PublicKey) []uint16 {
	var reset []uint16
	values := make([]float64, len(hotkeys))
	for uid, hk := range hotkeys {
		if uid < len(s.hotkeys) && s.hotkeys[uid] == hk {
			values[uid] = s.values[uid]
			continue
		}
		if uid < len(s.hotkeys) {
			reset = append(reset, uint16(uid))
		}
	}
	s.values, s.hotkeys = values, slices.Clone(hotkeys)
	return reset
}

// Update folds rewards[k] into the score of uids[k]. A reward that is NaN, infinite or
// negative counts as 0; uids beyond the last Resync are ignored.
func (s *Scores) Update(uids []uint16, rewards []float64) {
	for k, uid := range uids {
		if int(uid) >= len(s.values) || k >= len(rewards) {
			continue
		}
		r := rewards[k]
		if math.IsNaN(r) || math.IsInf(r, 0) || r < 0 {
			r = 0
		}
		s.values[uid] = s.alpha*r + (1-s.alpha)*s.values[uid]
	}
}

// Values returns a copy of the scores, indexed by uid.
func (s *Scores) Values() []float64 { return slices.Clone(s.values) }

// Hotkeys returns a copy of the hotkeys the scores belong to, indexed by uid.
func (s *Scores) Hotkeys() []keys.PublicKey { return slices.Clone(s.hotkeys) }

// restore sets values and hotkeys saved by an earlier run; lengths must match.
func (s *Scores) restore(values []float64, hotkeys []keys.PublicKey) {
	if len(values) != len(hotkeys) {
		return
	}
	s.values, s.hotkeys = slices.Clone(values), slices.Clone(hotkeys)
}

// Candidate is what sampling needs to know about a uid.
type Candidate struct {
	UID     uint16
	Serving bool   // has a served axon
	Permit  bool   // holds a validator permit
	Stake   uint64 // alpha stake, RAO
}

// SampleMiners picks up to k uids to query, as the template's get_random_uids: uids with a
// served axon, not self, and not validators (a permit and more than vpermitLimit stake);
// all of them when there are at most k, else k at random. The result is sorted.
func SampleMiners(cands []Candidate, self uint16, k int, vpermitLimit uint64, rng *rand.Rand) []uint16 {
	var uids []uint16
	for _, c := range cands {
		if !c.Serving || c.UID == self || (c.Permit && c.Stake > vpermitLimit) {
			continue
		}
		uids = append(uids, c.UID)
	}
	if k > 0 && len(uids) > k {
		rng.Shuffle(len(uids), func(i, j int) { uids[i], uids[j] = uids[j], uids[i] })
		uids = uids[:k]
	}
	slices.Sort(uids)
	return uids
}
