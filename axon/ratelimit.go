package axon

import (
	"math"
	"sync"
	"time"
)

// limiter is a token bucket per key: rate tokens a second, up to burst. Memory is bounded:
// buckets that have refilled are forgotten (a full bucket is a new one), and past maxKeys
// live buckets new keys are refused.
type limiter[K comparable] struct {
	rate  float64 // tokens per second; ≤ 0 means unlimited
	burst float64

	mu        sync.Mutex
	buckets   map[K]*bucket
	maxKeys   int
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter[K comparable](rate float64, burst int, maxKeys int) *limiter[K] {
	return &limiter[K]{rate: rate, burst: float64(burst), buckets: map[K]*bucket{}, maxKeys: maxKeys}
}

// allow reports whether key has a token at now, taking it when take is set, and otherwise
// how long until it will have one.
func (l *limiter[K]) allow(key K, now time.Time, take bool) (bool, time.Duration) {
	if l.rate <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.maxKeys/2 && now.Sub(l.lastSweep) > time.Second {
			l.sweep(now)
		}
		if len(l.buckets) >= l.maxKeys {
			return false, time.Second
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.refill(now, l.rate, l.burst)
	if b.tokens >= 1 {
		if take {
			b.tokens--
		}
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, max(wait, time.Millisecond)
}

func (b *bucket) refill(now time.Time, rate, burst float64) {
	if dt := now.Sub(b.last); dt > 0 {
		b.tokens = math.Min(burst, b.tokens+dt.Seconds()*rate)
		b.last = now
	}
}

// sweep forgets buckets that are full at now.
func (l *limiter[K]) sweep(now time.Time) {
	l.lastSweep = now
	for k, b := range l.buckets {
		b.refill(now, l.rate, l.burst)
		if b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
}
