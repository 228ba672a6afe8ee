package dendrite_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse"
)

// Tokens is a streaming synapse: the miner sends dummy_input events.
type Tokens struct {
	synapse.Base
	N int `json:"n"`
}

func (*Tokens) RequiredHashFields() []string { return []string{"n"} }

func streamTokens(ctx context.Context, s *Tokens, w *axon.Stream) error {
	switch s.N {
	case -1:
		return &synapse.StatusError{Code: 400, Message: "n must be positive"}
	case -2:
		w.WriteEvent("token", []byte("partial"))
		return errors.New("backend died")
	case -3:
		w.WriteEvent("token", []byte("slow"))
		<-ctx.Done()
		return ctx.Err()
	}
	for i := range s.N {
		if err := w.WriteEvent("token", fmt.Appendf(nil, "t%d", i)); err != nil {
			return err
		}
	}
	return nil
}

func TestStream(t *testing.T) {
	axontest.CheckLeaks(t)
	ax := startAxon(t, func(a *axon.Axon) {
		if err := axon.HandleStream(a, axon.StreamHandlerFunc[*Tokens](streamTokens)); err != nil {
			t.Fatal(err)
		}
	})
	d := newDendrite(t, dendrite.Config{})

	t.Run("events", func(t *testing.T) {
		syn := &Tokens{N: 3}
		st, err := d.Stream(t.Context(), ax, syn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var got []string
		for ev, err := range st.Events() {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ev.Name+":"+string(ev.Data))
		}
		if strings.Join(got, ",") != "token:t0,token:t1,token:t2" {
			t.Errorf("events %v", got)
		}
		if !syn.Dendrite.IsSuccess() || syn.Axon.StatusCode != 200 || syn.Axon.Hotkey != miner.SS58() {
			t.Errorf("terminals %+v %+v", syn.Dendrite, syn.Axon)
		}
	})
	t.Run("raw", func(t *testing.T) {
		st, err := d.Stream(t.Context(), ax, &Tokens{N: 2})
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(st)
		if err != nil || string(b) != "event: token\ndata: t0\n\nevent: token\ndata: t1\n\n" {
			t.Errorf("%q, %v", b, err)
		}
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	t.Run("refused before it began", func(t *testing.T) {
		syn := &Tokens{N: -1}
		_, err := d.Stream(t.Context(), ax, syn)
		var se *synapse.StatusError
		if !errors.As(err, &se) || se.Code != 400 || syn.Dendrite.StatusCode != 400 {
			t.Errorf("%v, %+v", err, syn.Dendrite)
		}
	})
	t.Run("cut midway", func(t *testing.T) {
		syn := &Tokens{N: -2}
		st, err := d.Stream(t.Context(), ax, syn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		_, err = io.ReadAll(st)
		var se *synapse.StatusError
		if !errors.As(err, &se) || se.Code != 503 || syn.Dendrite.StatusCode != 503 {
			t.Errorf("%v, %+v", err, syn.Dendrite)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		syn := &Tokens{N: -3}
		syn.Timeout = 0.3
		st, err := d.Stream(t.Context(), ax, syn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		start := time.Now()
		_, err = io.ReadAll(st)
		var se *synapse.StatusError
		if !errors.As(err, &se) || se.Code != 408 || syn.Dendrite.StatusCode != 408 {
			t.Errorf("%v, %+v", err, syn.Dendrite)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("stream timeout took %v", time.Since(start))
		}
	})
	t.Run("closed early", func(t *testing.T) {
		syn := &Tokens{N: 100}
		st, err := d.Stream(t.Context(), ax, syn)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 10)
		if _, err := st.Read(buf); err != nil {
			t.Fatal(err)
		}
		if err := st.Close(); err != nil || !syn.Dendrite.IsSuccess() {
			t.Errorf("%v %+v", err, syn.Dendrite)
		}
	})
}

// TestCloseEndsStreams: a stream its caller never closed does not keep Dendrite.Close
// waiting.
func TestCloseEndsStreams(t *testing.T) {
	axontest.CheckLeaks(t)
	ax := startAxon(t, func(a *axon.Axon) {
		if err := axon.HandleStream(a, axon.StreamHandlerFunc[*Tokens](streamTokens)); err != nil {
			t.Fatal(err)
		}
	})
	d, err := dendrite.New(validator, dendrite.Config{})
	if err != nil {
		t.Fatal(err)
	}
	syn := &Tokens{N: -3} // streams one event, then waits for its deadline
	st, err := d.Stream(t.Context(), ax, syn)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close waits for a stream nobody reads")
	}
	if _, err := io.ReadAll(st); err == nil {
		t.Error("reading a stream of a closed dendrite succeeded")
	}
	st.Close()
}

// TestStreamOfPlainSynapse: reading events from an axon that serves the synapse as plain
// request and response fails with ErrNotEventStream instead of yielding no events (a
// silent empty answer).
func TestStreamOfPlainSynapse(t *testing.T) {
	axontest.CheckLeaks(t)
	ax := startAxon(t, func(a *axon.Axon) {
		if err := axon.Handle(a, axon.HandlerFunc[*Tokens](func(_ context.Context, s *Tokens) error {
			s.N++
			return nil
		})); err != nil {
			t.Fatal(err)
		}
	})
	d := newDendrite(t, dendrite.Config{})
	syn := &Tokens{N: 3}
	st, err := d.Stream(t.Context(), ax, syn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := 0
	var got error
	for _, err := range st.Events() {
		n++
		got = err
	}
	if n != 1 || !errors.Is(got, dendrite.ErrNotEventStream) || !strings.Contains(got.Error(), "application/json") {
		t.Fatalf("%d items, last error %v; want one ErrNotEventStream", n, got)
	}
	if syn.Dendrite.IsSuccess() {
		t.Fatalf("dendrite terminal %+v reports success", syn.Dendrite)
	}
}
