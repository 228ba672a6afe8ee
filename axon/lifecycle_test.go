package axon_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/synapse"
)

// Slow is served by a handler that blocks until the test releases it.
type Slow struct{ Dummy }

func (*Slow) RequiredHashFields() []string { return []string{"dummy_input"} }

type slowHandler struct {
	started chan int      // receives dummy_input as each handler starts
	release chan struct{} // closed to let handlers finish
	honour  bool          // return when the context ends
}

func newSlow(honour bool) *slowHandler {
	return &slowHandler{started: make(chan int, 16), release: make(chan struct{}), honour: honour}
}

func (h *slowHandler) Forward(ctx context.Context, s *Slow) error {
	h.started <- s.DummyInput
	if h.honour {
		select {
		case <-h.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	} else {
		<-h.release
	}
	out := 2 * s.DummyInput
	s.DummyOutput = &out
	return nil
}

// async sends in the background and delivers the result.
func async(c *client, syn synapse.Synapse, opt synapse.RequestOptions) <-chan result {
	ch := make(chan result, 1)
	body, h := c.prepare(syn, opt)
	go func() { ch <- c.post("Slow", body, h) }()
	return ch
}

func TestPriorityQueue(t *testing.T) {
	axontest.CheckLeaks(t)
	slow := newSlow(true)
	waiting := make(chan int, 64)
	a, ax := newAxon(t, func(c *axon.Config) { c.MaxConcurrent, c.QueueDepth = 1, 2 }, func(a *axon.Axon) {
		axon.OnQueue(a, func(n int) { waiting <- n })
		if err := axon.Handle(a, axon.Handler[*Slow](slow)); err != nil {
			t.Fatal(err)
		}
	})
	_ = a
	waitFor := func(n int) {
		t.Helper()
		for got := range waiting {
			if got == n {
				return
			}
		}
	}
	ve, vc := newClient(t, eve, ax, ""), newClient(t, charlie, ax, "")
	x := async(newClient(t, alice, ax, ""), &Slow{Dummy{DummyInput: 0}}, synapse.RequestOptions{})
	if got := <-slow.started; got != 0 {
		t.Fatalf("started %d", got)
	}
	lowA := async(ve, &Slow{Dummy{DummyInput: 1}}, synapse.RequestOptions{})
	waitFor(1)
	lowB := async(ve, &Slow{Dummy{DummyInput: 2}}, synapse.RequestOptions{})
	waitFor(2)
	high := async(vc, &Slow{Dummy{DummyInput: 3}}, synapse.RequestOptions{})
	// The queue is full: Charlie (5000 TAO) outranks Eve's later request, which is refused.
	if r := <-lowB; r.code != 503 || r.header.Get("Retry-After") == "" || !strings.Contains(r.msg, "queue is full") {
		t.Errorf("evicted request: %d %q Retry-After %q", r.code, r.msg, r.header.Get("Retry-After"))
	}
	// A newcomer that does not outrank anyone waiting is refused at once.
	if r := <-async(ve, &Slow{Dummy{DummyInput: 4}}, synapse.RequestOptions{}); r.code != 503 {
		t.Errorf("request to a full queue: %d %q", r.code, r.msg)
	}
	close(slow.release)
	for _, ch := range []<-chan result{x, high, lowA} {
		if r := <-ch; r.code != 200 {
			t.Errorf("queued request: %d %s", r.code, r.msg)
		}
	}
	if a, b := <-slow.started, <-slow.started; a != 3 || b != 1 {
		t.Errorf("served %d then %d; want the high-stake request (3) first", a, b)
	}
}

func TestTimeouts(t *testing.T) {
	axontest.CheckLeaks(t)
	slow := newSlow(false) // ignores its context: the axon must answer anyway
	_, ax := newAxon(t, func(c *axon.Config) { c.MaxConcurrent = 1 }, func(a *axon.Axon) {
		if err := axon.Handle(a, axon.Handler[*Slow](slow)); err != nil {
			t.Fatal(err)
		}
	})
	t.Cleanup(func() { close(slow.release) }) // before the axon's drain
	c := newClient(t, alice, ax, "")
	start := time.Now()
	r := <-async(c, &Slow{Dummy{DummyInput: 1}}, synapse.RequestOptions{Timeout: 300 * time.Millisecond})
	if r.code != 504 || !strings.Contains(r.msg, "the Slow handler did not answer within 0.3s") {
		t.Errorf("handler past its deadline: %d %q", r.code, r.msg)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("504 after %v", el)
	}
	// The stuck handler still holds the only slot: the next request times out in the queue.
	<-slow.started
	r = <-async(c, &Slow{Dummy{DummyInput: 2}}, synapse.RequestOptions{Timeout: 300 * time.Millisecond})
	if r.code != 408 || r.msg != "Response timeout after: 0.3s" {
		t.Errorf("request past its deadline in the queue: %d %q", r.code, r.msg)
	}
}

func TestGracefulShutdown(t *testing.T) {
	axontest.CheckLeaks(t)
	slow := newSlow(false)
	cfg := axon.TestConfig()
	cfg.Registry = testRegistry()
	a, err := axon.New(ferdie, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := axon.Handle(a, axon.Handler[*Slow](slow)); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve(ln) }()
	for a.Addr() == nil {
		time.Sleep(time.Millisecond)
	}
	c := newClient(t, alice, a.Info(), "")
	inflight := async(c, &Slow{Dummy{DummyInput: 7}}, synapse.RequestOptions{})
	<-slow.started

	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		stopped <- a.Shutdown(ctx)
	}()
	// New connections are refused once the listener closes.
	for deadline := time.Now().Add(5 * time.Second); ; {
		conn, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("the axon still accepts connections while draining")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-stopped:
		t.Fatalf("Shutdown returned %v with a request in flight", err)
	default:
	}
	close(slow.release)
	if r := <-inflight; r.code != 200 {
		t.Errorf("in-flight request: %d %s", r.code, r.msg)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
	if err := a.Serve(ln); !errors.Is(err, axon.ErrServing) {
		t.Errorf("second Serve: %v", err)
	}
}

func TestShutdownDeadline(t *testing.T) {
	axontest.CheckLeaks(t)
	slow := newSlow(false)
	a, err := axon.New(ferdie, axon.TestConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := axon.Handle(a, axon.Handler[*Slow](slow)); err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	served := make(chan error, 1)
	go func() { served <- a.Serve(ln) }()
	for a.Addr() == nil {
		time.Sleep(time.Millisecond)
	}
	inflight := async(newClient(t, alice, a.Info(), ""), &Slow{Dummy{DummyInput: 1}}, synapse.RequestOptions{Timeout: 200 * time.Millisecond})
	<-slow.started
	if r := <-inflight; r.code != 504 {
		t.Errorf("got %d", r.code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := a.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "1 handlers still running") {
		t.Errorf("Shutdown with a stuck handler: %v", err)
	}
	close(slow.release)
	<-served
}
