package axon

import (
	"container/heap"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gotensor/gotensor/keys"
)

// Nonce rejections. The texts follow Bittensor's where it has one (reference §2.5 step 3).
var (
	errNonceStale  = errors.New("nonce too old")
	errNonceFuture = errors.New("nonce in the future")
	errNonceReplay = errors.New("nonce already used")
)

// nonceStore remembers, per hotkey, the (nonce, uuid) pairs it accepted within the window,
// so a replayed request is refused while concurrent requests may arrive in any order (a
// Bittensor axon instead demands strictly increasing nonces per hotkey:uuid). Memory is
// bounded: pairs older than the widest window are dropped, and past maxPerKey pairs the
// oldest is dropped and every nonce at or below it is refused from then on.
type nonceStore struct {
	retain    time.Duration // the widest acceptance window: NonceWindow + MaxTimeout
	maxPerKey int

	mu        sync.Mutex
	sets      map[keys.PublicKey]*nonceSet
	lastSweep time.Time
}

type nonceKey struct {
	nonce int64
	uuid  string
}

type nonceSet struct {
	seen   map[nonceKey]struct{}
	order  nonceHeap // min-heap by nonce
	floor  int64     // nonces ≤ floor are refused
	newest int64
}

type nonceHeap []nonceKey

func (h nonceHeap) Len() int           { return len(h) }
func (h nonceHeap) Less(i, j int) bool { return h[i].nonce < h[j].nonce }
func (h nonceHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nonceHeap) Push(x any)        { *h = append(*h, x.(nonceKey)) }
func (h *nonceHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func newNonceStore(retain time.Duration, maxPerKey int) *nonceStore {
	return &nonceStore{retain: retain, maxPerKey: maxPerKey, sets: map[keys.PublicKey]*nonceSet{}}
}

// check reports whether nonce (Unix ns) is acceptable for hotkey at now: within window in
// the past (window = NonceWindow + the request's timeout), within skew in the future, and not
// seen. It records nothing: record does, once the signature has verified, so a forger
// cannot burn a victim's nonces.
func (s *nonceStore) check(hk keys.PublicKey, uuid string, nonce int64, window, skew time.Duration, now time.Time) error {
	n := now.UnixNano()
	if nonce > n+int64(skew) {
		return fmt.Errorf("%w: Nonce is %.2f seconds in the future; check the caller's clock (allowed skew %.2f seconds)",
			errNonceFuture, float64(nonce-n)/1e9, skew.Seconds())
	}
	if nonce <= n-int64(window) {
		return fmt.Errorf("%w: Nonce is too old: acceptable delta is %.2f seconds but request was %.2f seconds old",
			errNonceStale, window.Seconds(), float64(n-nonce)/1e9)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seenLocked(hk, nonceKey{nonce, uuid})
}

func (s *nonceStore) seenLocked(hk keys.PublicKey, k nonceKey) error {
	set := s.sets[hk]
	if set == nil {
		return nil
	}
	if k.nonce <= set.floor {
		return fmt.Errorf("%w: Nonce is too old, a newer one was last processed", errNonceStale)
	}
	if _, ok := set.seen[k]; ok {
		return fmt.Errorf("%w: Nonce %d was already used; sign every request with a new nonce", errNonceReplay, k.nonce)
	}
	return nil
}

// record accepts nonce for hotkey, or refuses it if another request recorded it since check.
func (s *nonceStore) record(hk keys.PublicKey, uuid string, nonce int64, now time.Time) error {
	k := nonceKey{nonce, uuid}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.seenLocked(hk, k); err != nil {
		return err
	}
	cut := now.UnixNano() - int64(s.retain)
	if now.Sub(s.lastSweep) > s.retain {
		s.lastSweep = now
		for key, set := range s.sets {
			if set.newest < cut {
				delete(s.sets, key)
			}
		}
	}
	set := s.sets[hk]
	if set == nil {
		set = &nonceSet{seen: map[nonceKey]struct{}{}, floor: -1 << 63}
		s.sets[hk] = set
	}
	for len(set.order) > 0 && set.order[0].nonce < cut { // outside every window: stale anyway
		delete(set.seen, heap.Pop(&set.order).(nonceKey))
	}
	for len(set.order) >= s.maxPerKey {
		old := heap.Pop(&set.order).(nonceKey)
		delete(set.seen, old)
		set.floor = max(set.floor, old.nonce)
	}
	set.seen[k] = struct{}{}
	heap.Push(&set.order, k)
	set.newest = max(set.newest, nonce)
	return nil
}
