package dendrite_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/dendrite"
)

func TestVerifyResponses(t *testing.T) {
	axontest.CheckLeaks(t)
	ax := startAxon(t)
	d := newDendrite(t, dendrite.Config{VerifyResponses: true})
	syn := &Dummy{DummyInput: 2}
	if err := d.Call(t.Context(), ax, syn); err != nil || *syn.DummyOutput != 4 {
		t.Fatalf("signed answer refused: %v", err)
	}

	// A man in the middle changes the answer: the signature no longer covers it.
	target, _ := url.Parse("http://" + ax.Addr())
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		b = bytes.Replace(b, []byte(`"dummy_output":4`), []byte(`"dummy_output":5`), 1)
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	mitm := rawServer(t, proxy.ServeHTTP)
	mitm.Hotkey = ax.Hotkey
	syn = &Dummy{DummyInput: 2}
	err := d.Call(t.Context(), mitm, syn)
	if err == nil || syn.Dendrite.StatusCode != 401 || !strings.Contains(syn.Dendrite.StatusMessage, "not signed by the axon's hotkey") {
		t.Errorf("tampered answer: %v %+v", err, syn.Dendrite)
	}
	if syn.DummyOutput != nil {
		t.Errorf("the tampered output reached the caller: %d", *syn.DummyOutput)
	}

	// An axon that does not sign (a Python one) fails verification; without VerifyResponses
	// its answers are taken as they are.
	unsigned := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"dummy_input": 2, "dummy_output": 4}`))
	})
	if err := d.Call(t.Context(), unsigned, &Dummy{DummyInput: 2}); err == nil {
		t.Error("an unsigned answer passed verification")
	}
	plain := newDendrite(t, dendrite.Config{})
	if err := plain.Call(t.Context(), unsigned, &Dummy{DummyInput: 2}); err != nil {
		t.Errorf("unsigned answer without verification: %v", err)
	}
}

func TestCallWithProof(t *testing.T) {
	axontest.CheckLeaks(t)
	ax := startAxon(t)
	d := newDendrite(t, dendrite.Config{VerifyResponses: true})
	syn := &Dummy{DummyInput: 3}
	p, err := d.CallWithProof(t.Context(), ax, syn)
	if err != nil || p == nil || *syn.DummyOutput != 6 {
		t.Fatalf("CallWithProof: %v %v", p, err)
	}
	if p.Dendrite != validator.SS58() || p.Axon != miner.SS58() || p.Nonce == 0 || p.UUID != d.UUID() {
		t.Errorf("proof fields: %+v", p)
	}
	if !bytes.Contains(p.Body, []byte(`"dummy_output":6`)) {
		t.Errorf("the proof's body is not the answer: %s", p.Body)
	}
	if err := p.Verify(); err != nil {
		t.Fatalf("a fresh proof does not verify: %v", err)
	}
	for i := range p.Body {
		bad := *p
		bad.Body = bytes.Clone(p.Body)
		bad.Body[i] ^= 1
		if bad.Verify() == nil {
			t.Fatalf("a proof with body byte %d flipped verifies", i)
		}
	}
	bad := *p
	bad.Nonce++
	if err := bad.Verify(); !errors.Is(err, dendrite.ErrProof) {
		t.Errorf("a proof for another nonce: %v", err)
	}
	bad = *p
	bad.Dendrite = stranger.SS58()
	if bad.Verify() == nil {
		t.Error("a proof claimed for another dendrite verifies")
	}

	// Without VerifyResponses there is nothing to prove: the answer comes, the proof does not.
	plain := newDendrite(t, dendrite.Config{})
	syn = &Dummy{DummyInput: 3}
	if p, err := plain.CallWithProof(t.Context(), ax, syn); err != nil || p != nil || *syn.DummyOutput != 6 {
		t.Errorf("without VerifyResponses: %v %v", p, err)
	}
}
