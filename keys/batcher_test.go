package keys

import (
	"bytes"
	"runtime"
	"sync"
	"testing"
	"time"
)

// queueBehindSlot holds b's only slot, starts a Verify of each of batch, waits until all
// wait for the slot, then frees it, and returns their answers.
func queueBehindSlot(t *testing.T, b *BatchingVerifier, batch []SignedMessage) []bool {
	t.Helper()
	b.mu.Lock()
	b.slots, b.busy = 1, 1 // as if a call were verifying
	b.mu.Unlock()
	got := make([]bool, len(batch))
	var wg sync.WaitGroup
	for i, m := range batch {
		wg.Go(func() { got[i] = b.Verify(m.Verifier.PublicKey(), m.Msg, m.Sig) })
	}
	for {
		b.mu.Lock()
		n := len(b.waiting)
		b.mu.Unlock()
		if n == len(batch) {
			break
		}
		runtime.Gosched()
	}
	b.release()
	wg.Wait()
	if b.busy != 0 || len(b.waiting) != 0 {
		t.Errorf("after the batch: %d slots busy, %d waiting; want none", b.busy, len(b.waiting))
	}
	return got
}

// TestBatchingVerifierBatchesWaitingCalls lets calls queue behind a busy slot: they must be
// checked as one batch, each getting its own answer. A batch with bad signatures makes the
// next ones be checked alone (the cooldown), and batching resumes after it.
func TestBatchingVerifierBatchesWaitingCalls(t *testing.T) {
	b := NewBatchingVerifier(NewVerifierCache(8))
	batch := batchOf(t, 12, "//Alice", "//Bob")
	want := make([]bool, len(batch))
	for i := range batch {
		want[i] = i%3 != 0
		if !want[i] {
			batch[i].Sig = bytes.Clone(batch[i].Sig)
			batch[i].Sig[5] ^= 1
		}
	}
	got := queueBehindSlot(t, b, batch)
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("signature %d: got %v, want %v", i, got[i], want[i])
		}
	}
	if st := b.Stats(); st.Batches != 1 || st.Batched != uint64(len(batch)) || st.Alone != 0 {
		t.Errorf("stats %+v, want one batch of %d", st, len(batch))
	}

	good := batchOf(t, 16, "//Charlie")
	for range failCooldown / len(good) {
		for i, m := range good { // each checked alone by its caller, not queued
			if !b.Verify(m.Verifier.PublicKey(), m.Msg, m.Sig) {
				t.Fatalf("after a failed batch, good signature %d refused", i)
			}
		}
	}
	if st := b.Stats(); st.Batches != 1 || st.Alone != failCooldown {
		t.Errorf("stats %+v: want the %d signatures after a failed batch checked alone", st, failCooldown)
	}
	queueBehindSlot(t, b, good)
	if st := b.Stats(); st.Batches != 2 {
		t.Errorf("stats %+v: batching did not resume after the cooldown", st)
	}
}

// TestBatchingVerifierConcurrent has many goroutines verify good and bad signatures and
// unknown keys at once; every answer must be Verify's, whether it came alone or batched.
func TestBatchingVerifierConcurrent(t *testing.T) {
	b := NewBatchingVerifier(NewVerifierCache(8))
	batch := batchOf(t, 24, "//Alice", "//Bob", "//Charlie")
	batch[7].Sig = bytes.Clone(batch[7].Sig)
	batch[7].Sig[40] ^= 1
	batch[13].Msg = []byte("not what was signed")
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			for i := range 40 {
				m := batch[(g+i)%len(batch)]
				want := m.Verifier.Verify(m.Msg, m.Sig)
				if got := b.Verify(m.Verifier.PublicKey(), m.Msg, m.Sig); got != want {
					t.Errorf("signature %d: got %v, want %v", (g+i)%len(batch), got, want)
					return
				}
			}
			if b.Verify(PublicKey{}, batch[0].Msg, batch[0].Sig) {
				t.Error("the identity key verified a signature")
			}
		})
	}
	wg.Wait()
	st := b.Stats()
	if st.Alone+st.Batched != 32*40 {
		t.Errorf("stats %+v: %d signatures counted, want %d", st, st.Alone+st.Batched, 32*40)
	}
	t.Logf("%+v", st)
}

// TestBatchingVerifierLinger: a busy verifier with a linger waits for its batch to fill
// before checking; an idle one checks a lone call at once.
func TestBatchingVerifierLinger(t *testing.T) {
	b := NewBatchingVerifier(NewVerifierCache(8))
	b.slots = 1
	b.SetLinger(time.Hour, 8) // only a full batch ends the wait
	done := make(chan bool, 1)
	one := batchOf(t, 1, "//Alice")[0]
	go func() { done <- b.Verify(one.Verifier.PublicKey(), one.Msg, one.Sig) }()
	select {
	case ok := <-done:
		if !ok {
			t.Fatal("good signature refused")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("an idle verifier lingered over a lone call")
	}

	b.mu.Lock()
	b.last = minBatch // busy: the last batch had several signatures
	b.mu.Unlock()
	batch := batchOf(t, 8, "//Alice", "//Bob")
	batch[3].Sig = bytes.Clone(batch[3].Sig)
	batch[3].Sig[7] ^= 1
	got := make([]bool, len(batch))
	var wg sync.WaitGroup
	for i, m := range batch {
		wg.Go(func() { got[i] = b.Verify(m.Verifier.PublicKey(), m.Msg, m.Sig) })
	}
	wg.Wait()
	for i := range got {
		if got[i] != (i != 3) {
			t.Errorf("signature %d: got %v", i, got[i])
		}
	}
	if st := b.Stats(); st.Batches != 1 || st.Batched != uint64(len(batch)) {
		t.Errorf("stats %+v: want the 8 lingering calls checked as one batch", st)
	}
}
