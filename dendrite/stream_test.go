package dendrite_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
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

// TestStreamVerified: with VerifyResponses a stream's end checks the axon's signature of the
// whole stream (its trailer), and Proof proves the raw streamed bytes to anyone.
func TestStreamVerified(t *testing.T) {
	axontest.CheckLeaks(t)
	ax := startAxon(t, func(a *axon.Axon) {
		if err := axon.HandleStream(a, axon.StreamHandlerFunc[*Tokens](streamTokens)); err != nil {
			t.Fatal(err)
		}
	})
	d := newDendrite(t, dendrite.Config{VerifyResponses: true})

	t.Run("signed", func(t *testing.T) {
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
			got = append(got, string(ev.Data))
		}
		p := st.Proof()
		if p == nil || !syn.Dendrite.IsSuccess() {
			t.Fatalf("no proof after a signed stream: %+v", syn.Dendrite)
		}
		if string(p.Body) != "event: token\ndata: t0\n\nevent: token\ndata: t1\n\nevent: token\ndata: t2\n\n" || len(got) != 3 {
			t.Errorf("proof body %q, events %v", p.Body, got)
		}
		if p.Dendrite != validator.SS58() || p.Axon != miner.SS58() || p.UUID != d.UUID() || p.Nonce != syn.Dendrite.Nonce {
			t.Errorf("proof fields %+v", p)
		}
		if err := p.Verify(); err != nil {
			t.Fatalf("the stream's proof does not verify: %v", err)
		}
		for i := range p.Body {
			bad := *p
			bad.Body = bytes.Clone(p.Body)
			bad.Body[i] ^= 1
			if !errors.Is(bad.Verify(), dendrite.ErrProof) {
				t.Fatalf("a proof with streamed byte %d flipped verifies", i)
			}
		}
	})
	t.Run("failed midway", func(t *testing.T) {
		syn := &Tokens{N: -2}
		st, err := d.Stream(t.Context(), ax, syn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		_, err = io.ReadAll(st)
		var se *synapse.StatusError
		if !errors.As(err, &se) || se.Code != 503 || st.Proof() != nil {
			t.Errorf("%v, proof %v", err, st.Proof())
		}
	})
	t.Run("closed early", func(t *testing.T) {
		st, err := d.Stream(t.Context(), ax, &Tokens{N: 100})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Read(make([]byte, 10)); err != nil {
			t.Fatal(err)
		}
		st.Close()
		if st.Proof() != nil {
			t.Error("a stream closed before its end has a proof")
		}
	})
	t.Run("longer than MaxResponseBytes", func(t *testing.T) {
		small := newDendrite(t, dendrite.Config{VerifyResponses: true, MaxResponseBytes: 30})
		syn := &Tokens{N: 3} // 60 bytes
		st, err := small.Stream(t.Context(), ax, syn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		b, err := io.ReadAll(st)
		var se *synapse.StatusError
		if !errors.As(err, &se) || se.Code != 400 || len(b) != 30 || st.Proof() != nil || !strings.Contains(se.Message, "exceeds 30 bytes") {
			t.Errorf("%d bytes, %v, proof %v", len(b), err, st.Proof())
		}
	})

	// An axon that streams without signing (a Python axon, or a plain handler): the stream
	// ends in 401, as an unsigned plain answer does; without VerifyResponses it is read as is.
	unsigned := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		for i := range 3 {
			fmt.Fprintf(w, "data: t%d\n\n", i)
			w.(http.Flusher).Flush()
		}
	})
	// A man in the middle signs with a key of its own.
	forged := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", synapse.HeaderResponseSignature)
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		fmt.Fprint(w, "data: t0\n\n")
		w.(http.Flusher).Flush()
		sig, _ := stranger.Sign([]byte("anything"))
		w.Header().Set(synapse.HeaderResponseSignature, hex.EncodeToString(sig))
	})
	for name, ax := range map[string]synapse.AxonInfo{"no trailer": unsigned, "wrong signer": forged} {
		syn := &Tokens{N: 3}
		st, err := d.Stream(t.Context(), ax, syn)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		var last error
		for _, err := range st.Events() {
			if err != nil {
				last = err
				break
			}
			n++
		}
		st.Close()
		var se *synapse.StatusError
		if !errors.As(last, &se) || se.Code != 401 || syn.Dendrite.StatusCode != 401 || !strings.Contains(se.Message, "sign") || st.Proof() != nil {
			t.Errorf("%s: %d events, then %v (%+v), proof %v", name, n, last, syn.Dendrite, st.Proof())
		}
	}
	plain := newDendrite(t, dendrite.Config{})
	st, err := plain.Stream(t.Context(), unsigned, &Tokens{N: 3})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(st); err != nil || string(b) != "data: t0\n\ndata: t1\n\ndata: t2\n\n" || st.Proof() != nil {
		t.Errorf("unsigned stream without VerifyResponses: %q %v", b, err)
	}
	st.Close()
}
