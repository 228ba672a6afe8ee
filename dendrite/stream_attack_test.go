package dendrite_test

import (
	"bufio"
	"bytes"
	"crypto/sha3"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse"
)

// streamSig is the miner's signature of body as a stream answering r, hex in a trailer.
func streamSig(t *testing.T, r *http.Request, body []byte) string {
	t.Helper()
	h, err := synapse.ParseHeaders(r.Header)
	if err != nil {
		t.Error(err)
		return ""
	}
	d := h.Dendrite
	sig, err := miner.Sign(synapse.StreamSignatureMessage(d.Nonce, d.Hotkey, miner.SS58(), d.UUID, h.ComputedBodyHash, sha3.Sum256(body)))
	if err != nil {
		t.Error(err)
	}
	return "0x" + hex.EncodeToString(sig)
}

// hijacked serves each request by writing raw bytes on the connection: a response the
// net/http server would not write.
func hijacked(t *testing.T, raw func(r *http.Request) string) synapse.AxonInfo {
	return rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		buf.WriteString(raw(r))
		buf.Flush()
	})
}

func chunked(body string) string {
	return fmt.Sprintf("%x\r\n%s\r\n", len(body), body)
}

// TestStreamProofAttacks: an axon holding the real hotkey, or a man in the middle, tries to
// make the dendrite accept a stream proof for bytes the caller did not read, or through a
// signature that is not a real trailer. Each must end in 401 (or a failed stream) with no
// proof; what is accepted proves exactly what the caller read.
func TestStreamProofAttacks(t *testing.T) {
	axontest.CheckLeaks(t)
	const sent = "data: t0\n\n"
	cases := map[string]synapse.AxonInfo{
		// Signs other bytes than it sends.
		"signs other bytes": rawServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Trailer", synapse.HeaderResponseSignature)
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(200)
			fmt.Fprint(w, sent)
			w.Header().Set(synapse.HeaderResponseSignature, streamSig(t, r, []byte("data: other\n\n")))
		}),
		// Signs only a prefix of what it sends.
		"signs a prefix": rawServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Trailer", synapse.HeaderResponseSignature)
			w.WriteHeader(200)
			fmt.Fprint(w, sent+"data: unsigned\n\n")
			w.Header().Set(synapse.HeaderResponseSignature, streamSig(t, r, []byte(sent)))
		}),
		// The signature as a header before the body, not a trailer.
		"signature as a header": rawServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(synapse.HeaderResponseSignature, streamSig(t, r, []byte(sent)))
			w.WriteHeader(200)
			fmt.Fprint(w, sent)
		}),
		// A body of fixed length whose bytes look like a chunked trailer.
		"trailer in the body": hijacked(t, func(r *http.Request) string {
			body := sent + "0\r\n" + synapse.HeaderResponseSignature + ": " + streamSig(t, r, []byte(sent)) + "\r\n\r\n"
			return fmt.Sprintf("HTTP/1.1 200 OK\r\nTrailer: %s\r\nContent-Length: %d\r\n\r\n%s", synapse.HeaderResponseSignature, len(body), body)
		}),
		// A chunk whose data is a trailer's text, then a real, empty trailer.
		"trailer in a chunk": hijacked(t, func(r *http.Request) string {
			fake := "0\r\n" + synapse.HeaderResponseSignature + ": " + streamSig(t, r, []byte(sent)) + "\r\n\r\n"
			return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(sent) + chunked(fake) + "0\r\n\r\n"
		}),
		// Two trailers of the name, a bad one first.
		"bad trailer first": hijacked(t, func(r *http.Request) string {
			return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(sent) + "0\r\n" +
				synapse.HeaderResponseSignature + ": 0x" + strings.Repeat("00", 64) + "\r\n" +
				synapse.HeaderResponseSignature + ": " + streamSig(t, r, []byte(sent)) + "\r\n\r\n"
		}),
		// A trailer past net/http's 4 KB bound: the stream fails rather than grow a buffer.
		"huge trailer": hijacked(t, func(r *http.Request) string {
			return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(sent) + "0\r\n" +
				"X-Pad: " + strings.Repeat("a", 1<<20) + "\r\n" +
				synapse.HeaderResponseSignature + ": " + streamSig(t, r, []byte(sent)) + "\r\n\r\n"
		}),
		// A trailer of many short lines, below net/http's bound: read, but still no signature.
		"many trailer lines": hijacked(t, func(r *http.Request) string {
			var b strings.Builder
			for i := range 200 {
				fmt.Fprintf(&b, "X-%d: a\r\n", i)
			}
			return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(sent) + "0\r\n" + b.String() + "\r\n"
		}),
	}
	d := newDendrite(t, dendrite.Config{VerifyResponses: true})
	for name, ax := range cases {
		syn := &Tokens{N: 1}
		st, err := d.Stream(t.Context(), ax, syn)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		_, err = io.ReadAll(st)
		st.Close()
		if err == nil || st.Proof() != nil || syn.Dendrite.IsSuccess() {
			t.Errorf("%s: stream accepted (err %v, proof %v, %+v)", name, err, st.Proof(), syn.Dendrite)
		}
	}

	// Two trailers, the good one first: accepted, and the proof is of what was read.
	goodFirst := hijacked(t, func(r *http.Request) string {
		return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(sent) + "0\r\n" +
			synapse.HeaderResponseSignature + ": " + streamSig(t, r, []byte(sent)) + "\r\n" +
			synapse.HeaderResponseSignature + ": 0x" + strings.Repeat("00", 64) + "\r\n\r\n"
	})
	st, err := d.Stream(t.Context(), goodFirst, &Tokens{N: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(st)
	st.Close()
	if err != nil || st.Proof() == nil || !bytes.Equal(st.Proof().Body, b) || st.Proof().Verify() != nil {
		t.Errorf("good trailer first: %q %v proof %+v", b, err, st.Proof())
	}
}

// TestStreamProofBinding: a stream's proof does not verify as a plain answer's (nor a plain
// answer's as a stream's), nor for another request, nonce, uuid or dendrite.
func TestStreamProofBinding(t *testing.T) {
	axontest.CheckLeaks(t)
	ax := startAxon(t, func(a *axon.Axon) {
		if err := axon.HandleStream(a, axon.StreamHandlerFunc[*Tokens](streamTokens)); err != nil {
			t.Fatal(err)
		}
	})
	plainAx := startAxon(t)
	d := newDendrite(t, dendrite.Config{VerifyResponses: true})
	proofOf := func(n int) (*dendrite.ResponseProof, string) {
		syn := &Tokens{N: n}
		st, err := d.Stream(t.Context(), ax, syn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		r := bufio.NewReader(st)
		if _, err := io.ReadAll(r); err != nil {
			t.Fatal(err)
		}
		h, err := synapse.BodyHash(syn)
		if err != nil {
			t.Fatal(err)
		}
		if st.Proof() == nil {
			t.Fatalf("no proof: %+v", syn.Dendrite)
		}
		return st.Proof(), h
	}
	p, h := proofOf(2)
	if err := p.Verify(); err != nil || p.RequestHash != h {
		t.Fatalf("proof %v, request hash %q, want %q", err, p.RequestHash, h)
	}
	other, otherHash := proofOf(3)
	if otherHash == h {
		t.Fatal("two requests with one hash")
	}
	for name, spoil := range map[string]func(q *dendrite.ResponseProof){
		"as a plain answer":   func(q *dendrite.ResponseProof) { q.RequestHash = "" },
		"for another request": func(q *dendrite.ResponseProof) { q.RequestHash = otherHash },
		"another nonce":       func(q *dendrite.ResponseProof) { q.Nonce = other.Nonce },
		"another uuid":        func(q *dendrite.ResponseProof) { q.UUID = "x" + q.UUID },
		"uuid and hash shifted": func(q *dendrite.ResponseProof) {
			q.UUID, q.RequestHash = q.UUID+"."+q.RequestHash[:4], q.RequestHash[4:]
		},
		"another dendrite":       func(q *dendrite.ResponseProof) { q.Dendrite = stranger.SS58() },
		"the other's signature":  func(q *dendrite.ResponseProof) { q.Signature = other.Signature },
		"the other's body":       func(q *dendrite.ResponseProof) { q.Body = other.Body },
		"an empty body":          func(q *dendrite.ResponseProof) { q.Body = nil },
		"axon named as dendrite": func(q *dendrite.ResponseProof) { q.Axon = q.Dendrite },
	} {
		q := *p
		spoil(&q)
		if err := q.Verify(); !errors.Is(err, dendrite.ErrProof) {
			t.Errorf("stream proof %s: %v; want ErrProof", name, err)
		}
	}

	// A plain answer's proof does not verify as a stream's.
	pp, err := d.CallWithProof(t.Context(), plainAx, &Dummy{DummyInput: 2})
	if err != nil {
		t.Fatal(err)
	}
	q := *pp
	q.RequestHash = h
	if err := q.Verify(); !errors.Is(err, dendrite.ErrProof) {
		t.Errorf("plain proof with a request hash: %v; want ErrProof", err)
	}
}
