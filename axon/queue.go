package axon

import (
	"container/heap"
	"context"
	"errors"
	"sync"
)

var (
	errQueueFull = errors.New("queue full")
	errEvicted   = errors.New("evicted by a higher-priority request")
)

// queue is a priority semaphore: slots handlers may run in, and a bounded set of waiters
// served highest priority first (first come first served among equals). When the set is
// full, a newcomer that outranks the lowest waiter evicts it.
type queue struct {
	mu      sync.Mutex
	free    int
	depth   int
	seq     uint64
	waiting waitHeap

	onWait func(n int) // reports the number waiting (metrics); may be nil
}

type waiter struct {
	prio   float64
	seq    uint64
	index  int        // in waiting; -1 once granted or evicted
	result chan error // nil: granted a slot
}

type waitHeap []*waiter

func (h waitHeap) Len() int { return len(h) }
func (h waitHeap) Less(i, j int) bool {
	if h[i].prio != h[j].prio {
		return h[i].prio > h[j].prio
	}
	return h[i].seq < h[j].seq
}
func (h waitHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *waitHeap) Push(x any) {
	w := x.(*waiter)
	w.index = len(*h)
	*h = append(*h, w)
}
func (h *waitHeap) Pop() any {
	old := *h
	w := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	w.index = -1
	return w
}

func newQueue(slots, depth int) *queue { return &queue{free: slots, depth: depth} }

// acquire waits for a slot; the caller must call release once done with it.
func (q *queue) acquire(ctx context.Context, prio float64) error {
	if err := ctx.Err(); err != nil {
		return err // never evict a waiter for a request that is already over
	}
	q.mu.Lock()
	if q.free > 0 && len(q.waiting) == 0 {
		q.free--
		q.mu.Unlock()
		return nil
	}
	if len(q.waiting) >= q.depth {
		low := q.lowest()
		if low == nil || !outranks(prio, low) {
			q.mu.Unlock()
			return errQueueFull
		}
		heap.Remove(&q.waiting, low.index)
		low.result <- errEvicted
	}
	q.seq++
	w := &waiter{prio: prio, seq: q.seq, result: make(chan error, 1)}
	heap.Push(&q.waiting, w)
	q.report()
	q.mu.Unlock()

	select {
	case err := <-w.result:
		return err
	case <-ctx.Done():
		q.mu.Lock()
		if w.index >= 0 {
			heap.Remove(&q.waiting, w.index)
			q.report()
			q.mu.Unlock()
			return ctx.Err()
		}
		q.mu.Unlock()
		if err := <-w.result; err == nil { // granted as the context ended: give it back
			q.release()
		}
		return ctx.Err()
	}
}

// outranks reports whether a newcomer of priority p goes before w.
func outranks(p float64, w *waiter) bool { return p > w.prio }

// lowest returns the waiter that would be served last.
func (q *queue) lowest() *waiter {
	var low *waiter
	for _, w := range q.waiting {
		if low == nil || w.prio < low.prio || w.prio == low.prio && w.seq > low.seq {
			low = w
		}
	}
	return low
}

// release frees a slot, handing it to the best waiter if any.
func (q *queue) release() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.waiting) > 0 {
		w := heap.Pop(&q.waiting).(*waiter)
		w.result <- nil
		q.report()
		return
	}
	q.free++
}

func (q *queue) report() {
	if q.onWait != nil {
		q.onWait(len(q.waiting))
	}
}

func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.waiting)
}
