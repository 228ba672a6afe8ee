package axon_test

import (
	"bufio"
	"context"
	"crypto/sha3"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/synapse"
)

// Tokens streams dummy_input numbered events.
type Tokens struct{ Dummy }

func (*Tokens) RequiredHashFields() []string { return []string{"dummy_input"} }

func streamTokens(ctx context.Context, s *Tokens, w *axon.Stream) error {
	switch s.DummyInput {
	case -1:
		return &synapse.StatusError{Code: 400, Message: "nothing to stream"}
	case -2:
		if err := w.WriteEvent("token", []byte("partial")); err != nil {
			return err
		}
		return errors.New("backend died")
	}
	for i := range s.DummyInput {
		if err := w.WriteEvent("token", fmt.Appendf(nil, "t%d\nline2", i)); err != nil {
			return err
		}
	}
	return nil
}

func TestStream(t *testing.T) {
	axontest.CheckLeaks(t)
	_, ax := newAxon(t, nil, func(a *axon.Axon) {
		if err := axon.HandleStream(a, axon.StreamHandlerFunc[*Tokens](streamTokens)); err != nil {
			t.Fatal(err)
		}
	})
	c := newClient(t, alice, ax, "")
	send := func(n int) (*http.Response, error) {
		body, h := c.prepare(&Tokens{Dummy{DummyInput: n}}, synapse.RequestOptions{})
		req, _ := http.NewRequest(http.MethodPost, "http://"+ax.Addr()+"/Tokens", strings.NewReader(string(body)))
		for k, v := range h {
			req.Header[k] = v
		}
		return c.hc.Do(req)
	}

	resp, err := send(3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" || resp.Header.Get("bt_header_axon_status_code") != "200" {
		t.Errorf("stream answer %d %v", resp.StatusCode, resp.Header)
	}
	want := "event: token\ndata: t0\ndata: line2\n\nevent: token\ndata: t1\ndata: line2\n\nevent: token\ndata: t2\ndata: line2\n\n"
	if string(b) != want {
		t.Errorf("stream body %q\nwant %q", b, want)
	}

	// An error before the first chunk is an ordinary answer.
	resp, err = send(-1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), "nothing to stream") {
		t.Errorf("early error: %d %s", resp.StatusCode, b)
	}

	// An error after it cuts the stream, so the caller cannot take it for complete.
	resp, err = send(-2)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(bufio.NewReader(resp.Body))
	resp.Body.Close()
	if err == nil {
		t.Error("a stream that failed midway read as complete")
	}
}

// A dendrite that asks for a signed answer gets the streamed body's signature in the
// trailer, over synapse.StreamSignatureMessage (the request's body hash and the stream's);
// a stream that fails gets none.
func TestStreamSigned(t *testing.T) {
	axontest.CheckLeaks(t)
	_, ax := newAxon(t, nil, func(a *axon.Axon) {
		if err := axon.HandleStream(a, axon.StreamHandlerFunc[*Tokens](streamTokens)); err != nil {
			t.Fatal(err)
		}
	})
	c := newClient(t, alice, ax, "")
	var requestHash string // the last request's computed_body_hash
	send := func(n int, sign bool) (*Tokens, *http.Response, []byte, error) {
		syn := &Tokens{Dummy{DummyInput: n}}
		body, h := c.prepare(syn, synapse.RequestOptions{})
		requestHash = h[synapse.HeaderBodyHash][0]
		req, _ := http.NewRequest(http.MethodPost, "http://"+ax.Addr()+"/Tokens", strings.NewReader(string(body)))
		for k, v := range h {
			req.Header[k] = v
		}
		if sign {
			req.Header[synapse.HeaderSignResponse] = []string{"1"}
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return syn, resp, b, err
	}
	verifies := func(syn *Tokens, reqHash string, body []byte, sig string) bool {
		s, err := keys.ParseSignature(sig)
		d := syn.Dendrite
		msg := synapse.StreamSignatureMessage(d.Nonce, d.Hotkey, ferdie.SS58(), d.UUID, reqHash, sha3.Sum256(body))
		return err == nil && keys.Verify(ferdie.Public(), msg, s)
	}

	for _, n := range []int{3, 0} { // an empty stream is signed too
		syn, resp, b, err := send(n, true)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("n=%d: %d %v", n, resp.StatusCode, err)
		}
		sig := resp.Trailer.Get(synapse.HeaderResponseSignature)
		if !verifies(syn, requestHash, b, sig) {
			t.Fatalf("n=%d: trailer %q does not sign the streamed body %q", n, sig, b)
		}
		if n > 0 && verifies(syn, requestHash, b[1:], sig) {
			t.Fatal("the signature verifies for another body")
		}
		if verifies(syn, synapse.EmptyBodyHash, b, sig) {
			t.Fatal("the signature verifies for another request")
		}
	}

	// Not asked: no trailer, as before.
	_, resp, _, err := send(2, false)
	if err != nil || resp.Header.Get("Trailer") != "" || len(resp.Trailer) != 0 {
		t.Errorf("unsigned stream: trailer %v %v, err %v", resp.Header.Get("Trailer"), resp.Trailer, err)
	}

	// Failed mid-way: the connection is cut and no signature comes.
	_, resp, _, err = send(-2, true)
	if err == nil || resp.Trailer.Get(synapse.HeaderResponseSignature) != "" {
		t.Errorf("failed stream: err %v, trailer %v", err, resp.Trailer)
	}
}
