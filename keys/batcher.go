package keys

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// BatchingVerifier verifies signatures for many goroutines at once, batching those that
// arrive together: a server whose handlers each verify one request's signature calls its
// Verify from every handler. A batch of 8 or more signatures from a few keys costs a
// quarter to two fifths of verifying them one by one (see VerifyBatch and its benchmark),
// so the busier the server, the cheaper each signature.
//
// A call takes a verification slot if one is free; calls that find every slot busy wait,
// and a slot, when it frees, passes to the oldest of them, which checks all that wait (up
// to MaxBatch) as one batch. A call that takes a free slot first yields the processor
// once, so that other requests already in flight reach their own signature check and join
// its batch; on an idle server nothing else is runnable and it goes straight on, alone.
//
// Slots are half the Go scheduler's processors (at least one): the other half keeps
// reading and parsing the requests whose signatures the batches will check.
//
// A batch with a bad signature fails as a whole and VerifyBatch must halve it to find the
// culprit, which costs more than checking each signature alone. So after a failed batch
// the next failCooldown signatures are checked one by one, each by its caller as without
// batching (not queued for a slot): a caller who sends bad signatures makes the server
// little slower than it was without batching.
type BatchingVerifier struct {
	cache *VerifierCache
	slots int

	mu       sync.Mutex
	busy     int           // slots in use
	waiting  []*batchCheck // calls that found every slot busy, oldest first
	cooldown int           // signatures still to check one by one after a failed batch

	alone, batches, batched atomic.Uint64

	// linger and lingerFor: see SetLinger. last is the size of the last
	// batch (b.mu), which tells a busy verifier from an idle one.
	linger    time.Duration
	lingerFor int
	last      int
}

// SetLinger makes a call that takes a free slot while the verifier is busy
// (its last batch had several signatures) wait up to d for lingerFor
// signatures to gather before checking them, instead of checking at once
// whatever has arrived. Batches are then larger and each signature cheaper
// (at 64 keys, a batch of 32 costs about two thirds of a batch of 8 per
// signature), at the price of up to d of latency under load; an idle
// verifier does not wait. For servers where a millisecond does not matter (a
// node's transaction submissions); call it before the first Verify.
func (b *BatchingVerifier) SetLinger(d time.Duration, lingerFor int) {
	b.linger, b.lingerFor = d, min(max(lingerFor, 1), MaxBatch)
}

// MaxBatch is the most signatures a BatchingVerifier checks in one batch: past it the
// saving per signature is small and the wait of the batch's first caller grows.
const MaxBatch = 64

// failCooldown is how many signatures are checked alone after a batch that failed.
const failCooldown = 4 * MaxBatch

// BatchStats counts what a BatchingVerifier has done.
type BatchStats struct {
	Alone   uint64 // signatures checked one by one
	Batches uint64 // batches checked
	Batched uint64 // signatures in them
}

// Stats returns the counts so far.
func (b *BatchingVerifier) Stats() BatchStats {
	return BatchStats{Alone: b.alone.Load(), Batches: b.batches.Load(), Batched: b.batched.Load()}
}

// batchCheck is one call to Verify.
type batchCheck struct {
	m    SignedMessage
	ok   bool
	lead bool          // woken to run the next batch, not with its answer
	wake chan struct{} // for a waiting call, one send: the answer is in ok, or lead is set
}

// NewBatchingVerifier returns a BatchingVerifier that decodes keys through cache.
func NewBatchingVerifier(cache *VerifierCache) *BatchingVerifier {
	return &BatchingVerifier{cache: cache, slots: max(1, runtime.GOMAXPROCS(0)/2)}
}

// Verify reports whether sig is a valid signature of msg by pub, as keys.Verify does.
func (b *BatchingVerifier) Verify(pub PublicKey, msg, sig []byte) bool {
	v := b.cache.Verifier(pub)
	if v == nil {
		return false
	}
	c := &batchCheck{m: SignedMessage{Verifier: v, Msg: msg, Sig: sig}}
	b.mu.Lock()
	if b.cooldown > 0 {
		// After a failed batch: checked alone, here, as without batching. Queued behind the
		// slots, such checks would have only half the processors, and a caller who sends a
		// bad signature now and then would halve the server's verification throughput.
		b.cooldown--
		b.mu.Unlock()
		b.alone.Add(1)
		return v.Verify(msg, sig)
	}
	if b.busy < b.slots {
		b.busy++
		busy := b.last >= minBatch
		b.mu.Unlock()
		if b.linger > 0 && busy {
			b.gather()
		} else {
			runtime.Gosched()
		}
		b.runBatch(c)
		return c.ok
	}
	c.wake = make(chan struct{}, 1)
	b.waiting = append(b.waiting, c)
	b.mu.Unlock()
	<-c.wake
	if c.lead {
		b.runBatch(c)
	}
	return c.ok
}

// gather waits, up to the linger time, until lingerFor calls (this one
// included) are ready to be checked together.
func (b *BatchingVerifier) gather() {
	deadline := time.Now().Add(b.linger)
	step := min(max(b.linger/8, 50*time.Microsecond), 250*time.Microsecond)
	for {
		b.mu.Lock()
		n := len(b.waiting) + 1
		b.mu.Unlock()
		if n >= b.lingerFor || !time.Now().Before(deadline) {
			return
		}
		time.Sleep(step)
	}
}

// release gives up a slot: to the oldest waiting call, which then runs a batch, or back.
func (b *BatchingVerifier) release() {
	b.mu.Lock()
	if len(b.waiting) == 0 {
		b.busy--
		b.mu.Unlock()
		return
	}
	next := b.take(1)[0]
	next.lead = true
	b.mu.Unlock()
	next.wake <- struct{}{}
}

// take removes and returns the n oldest waiting calls, at most as many as wait. b.mu is held.
func (b *BatchingVerifier) take(n int) []*batchCheck {
	n = min(n, len(b.waiting))
	taken := make([]*batchCheck, n)
	copy(taken, b.waiting)
	rest := copy(b.waiting, b.waiting[n:])
	clear(b.waiting[rest:])
	b.waiting = b.waiting[:rest]
	return taken
}

// runBatch checks lead's signature with those of the calls waiting now, answers each, and
// then releases the slot lead holds.
func (b *BatchingVerifier) runBatch(lead *batchCheck) {
	b.mu.Lock()
	batch := append([]*batchCheck{lead}, b.take(MaxBatch-1)...)
	b.last = len(batch)
	alone := len(batch) < minBatch || b.cooldown > 0
	if alone {
		b.cooldown = max(0, b.cooldown-len(batch))
	}
	b.mu.Unlock()

	if alone {
		for _, c := range batch {
			c.ok = c.m.Verifier.Verify(c.m.Msg, c.m.Sig)
		}
		b.alone.Add(uint64(len(batch)))
	} else {
		msgs := make([]SignedMessage, len(batch))
		for i, c := range batch {
			msgs[i] = c.m
		}
		ok := make([]bool, len(batch))
		VerifyBatch(msgs, ok)
		failed := false
		for i, c := range batch {
			c.ok = ok[i]
			failed = failed || !ok[i]
		}
		b.batches.Add(1)
		b.batched.Add(uint64(len(batch)))
		if failed {
			b.mu.Lock()
			b.cooldown = failCooldown
			b.mu.Unlock()
		}
	}
	for _, c := range batch[1:] {
		c.wake <- struct{}{}
	}
	b.release()
}
