package validator

import "time"

// seenWindow remembers keys (a request's uuid, a signed answer's identity) for as long as
// a replay of them could still be accepted, so that the replay is noticed. Entries leave in
// the order they came, each once its own time is more than keep old, so a check costs
// amortized constant work however many entries the window holds. Not safe for concurrent
// use: its owner's lock guards it.
type seenWindow struct {
	keep  time.Duration
	at    map[string]time.Time
	order []seenEntry // arrival order
}

type seenEntry struct {
	key string
	at  time.Time
}

func newSeenWindow(keep time.Duration) *seenWindow {
	return &seenWindow{keep: keep, at: map[string]time.Time{}}
}

// add records key with its time at and reports true, or reports false when key is already
// there (a replay). now expires what is older than keep.
func (s *seenWindow) add(key string, at, now time.Time) bool {
	// An entry can only leave once it is itself old enough; one whose time is later than
	// those behind it delays their leaving, never hastens anything.
	for len(s.order) > 0 && now.Sub(s.order[0].at) > s.keep {
		e := s.order[0]
		s.order[0] = seenEntry{}
		s.order = s.order[1:]
		if t, ok := s.at[e.key]; ok && t.Equal(e.at) {
			delete(s.at, e.key)
		}
	}
	if len(s.order) == 0 {
		s.order = nil // let the drained backing array go
	}
	if _, dup := s.at[key]; dup {
		return false
	}
	s.at[key] = at
	s.order = append(s.order, seenEntry{key, at})
	return true
}

// len returns how many keys are remembered.
func (s *seenWindow) len() int { return len(s.at) }
