package axon

import (
	"time"

	"github.com/gotensor/gotensor/keys"
)

// SetClock replaces the axon's clock (rate limits, nonce window); call before serving.
func SetClock(a *Axon, now func() time.Time) { a.now = now }

// Verifies returns how many signatures the axon verified.
func Verifies(a *Axon) int64 { return a.verifies.Load() }

// BodyReads returns how many request bodies the axon started reading.
func BodyReads(a *Axon) int64 { return a.bodyReads.Load() }

// OnQueue calls fn with the number of waiting requests whenever it changes; call before
// serving.
func OnQueue(a *Axon, fn func(waiting int)) {
	prev := a.queue.onWait
	a.queue.onWait = func(n int) {
		prev(n)
		fn(n)
	}
}

// SignatureStats returns the axon's signature-batching counts.
func SignatureStats(a *Axon) keys.BatchStats { return a.sigs.Stats() }
