package axon

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gotensor/gotensor/keys"
)

func TestNonceStore(t *testing.T) {
	var hk keys.PublicKey
	hk[0] = 1
	now := time.Unix(1_700_000_000, 0)
	n := now.UnixNano()
	s := newNonceStore(20*time.Second, 3)
	w := 5 * time.Second
	ok := func(nonce int64, uuid string) {
		t.Helper()
		if err := s.check(hk, uuid, nonce, w, w, now); err != nil {
			t.Fatalf("check %d: %v", nonce, err)
		}
		if err := s.record(hk, uuid, nonce, now); err != nil {
			t.Fatalf("record %d: %v", nonce, err)
		}
	}
	fails := func(nonce int64, uuid string, want error) {
		t.Helper()
		if err := s.check(hk, uuid, nonce, w, w, now); !errors.Is(err, want) {
			t.Fatalf("check %d: %v, want %v", nonce, err, want)
		}
	}
	// Out of order within the window is fine; the same (nonce, uuid) twice is not.
	ok(n-2, "a")
	ok(n-3, "a")
	ok(n-2, "b")
	fails(n-2, "a", errNonceReplay)
	fails(n-int64(6*time.Second), "a", errNonceStale)
	fails(n+int64(6*time.Second), "a", errNonceFuture)
	// A record after a check refuses a replay that slipped in between.
	if err := s.record(hk, "a", n-3, now); !errors.Is(err, errNonceReplay) {
		t.Errorf("record of a recorded nonce: %v", err)
	}
	// Past 3 remembered nonces the oldest is dropped and becomes the floor.
	ok(n-1, "a")
	fails(n-3, "c", errNonceStale)
	ok(n-1, "c")
	// Sets of hotkeys idle for the whole retention are swept.
	later := now.Add(time.Minute)
	var other keys.PublicKey
	if err := s.record(other, "x", later.UnixNano(), later); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.sets[hk]; ok {
		t.Error("idle hotkey not swept")
	}
}

func TestQueue(t *testing.T) {
	q := newQueue(1, 2)
	ctx := t.Context()
	if err := q.acquire(ctx, 0); err != nil {
		t.Fatal(err)
	}
	got := make(chan float64, 4)
	errs := make(chan error, 4)
	waiting := make(chan int, 16)
	q.onWait = func(n int) { waiting <- n }
	var wg sync.WaitGroup
	start := func(p float64) {
		wg.Go(func() {
			if err := q.acquire(ctx, p); err != nil {
				errs <- err
				return
			}
			got <- p
			q.release()
		})
	}
	start(1)
	<-waiting
	start(1) // ties: first come first served; the later one is evicted first
	<-waiting
	start(5) // evicts the second 1
	if err := <-errs; !errors.Is(err, errEvicted) {
		t.Fatalf("evicted: %v", err)
	}
	if err := q.acquire(ctx, 1); !errors.Is(err, errQueueFull) {
		t.Fatalf("full queue: %v", err)
	}
	// A waiter whose context ends leaves the queue.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := q.acquire(cctx, 100); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	q.release()
	if a, b := <-got, <-got; a != 5 || b != 1 {
		t.Errorf("served %v then %v", a, b)
	}
	wg.Wait() // the last holder releases after it reported
	q.mu.Lock()
	free := q.free
	q.mu.Unlock()
	if q.len() != 0 || free != 1 {
		t.Errorf("after: %d waiting, %d free", q.len(), q.free)
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter[int](2, 2, 4)
	now := time.Unix(0, 0)
	for i := range 2 {
		if ok, _ := l.allow(1, now, true); !ok {
			t.Fatalf("token %d refused", i)
		}
	}
	if ok, wait := l.allow(1, now, false); ok || wait != 500*time.Millisecond {
		t.Errorf("empty bucket: %v, wait %v", ok, wait)
	}
	if ok, _ := l.allow(1, now.Add(500*time.Millisecond), true); !ok {
		t.Error("refilled token refused")
	}
	// Full buckets are forgotten when the table fills; live ones are kept.
	for k := 2; k <= 4; k++ {
		l.allow(k, now, false)
	}
	l.allow(1, now, true)
	later := now.Add(10 * time.Second)
	if ok, _ := l.allow(9, later, true); !ok {
		t.Error("new key refused after a sweep")
	}
	if len(l.buckets) > 2 {
		t.Errorf("%d buckets after sweeping full ones", len(l.buckets))
	}
}
