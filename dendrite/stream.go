package dendrite

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha3"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"sync"
	"time"

	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/synapse"
)

// Stream is the answer of a streaming synapse (reference §2.7), read as it arrives. Read it
// as an io.Reader (the chunk format is the subnet's) or with Events for server-sent events,
// then Close it. When the stream ends, the synapse's Dendrite terminal info holds the outcome:
// 200 after a complete stream, or the mapped failure (408 when the deadline passed). A
// Stream is read by one goroutine at a time.
//
// With Config.VerifyResponses the axon is asked to sign the stream: it sends the signature
// of the whole streamed body in the HTTP trailer synapse.HeaderResponseSignature. The
// Stream hashes and keeps the bytes as they are read (at most Config.MaxResponseBytes; a
// longer stream fails with 400) and checks the trailer at the end: a missing or wrong
// signature ends the stream with status 401, as an unsigned plain answer is refused
// (Python axons never sign: leave VerifyResponses off for them); a good one makes Proof
// return the stream's ResponseProof.
type Stream struct {
	x           *exchange
	resp        *http.Response
	body        io.Reader
	ctx         context.Context
	done        bool
	err         error
	once        sync.Once
	release     func() // cancels the call, closes the body, ends the call's registration; once
	stopOnClose func() bool

	// With VerifyResponses: the bytes read so far, their SHA3-256, and the proof once the
	// trailer verified.
	verify bool
	kept   []byte
	sum    *sha3.SHA3
	proof  *ResponseProof
}

// Stream sends syn to a streaming synapse's axon and returns once the answer's headers
// arrived, with syn's Axon terminal info taken from them. A failure before the stream began
// is returned as from Call (a *synapse.StatusError, also in syn's terminal infos). The
// timeout (as Call's) covers the whole stream. Close the Stream; closing the Dendrite also
// ends it.
func (d *Dendrite) Stream(ctx context.Context, axon synapse.AxonInfo, syn synapse.Synapse) (*Stream, error) {
	t, err := synapse.TypeOf(syn)
	if err != nil {
		return nil, err
	}
	if !d.begin() {
		return nil, ErrClosed
	}
	timeout := d.timeoutOf(syn)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = max(time.Until(dl).Round(time.Millisecond), time.Millisecond)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	x := &exchange{d: d, t: t, axon: axon, syn: syn, start: start, timeout: timeout, deadline: start.Add(timeout),
		signedStream: d.cfg.VerifyResponses}
	stopEarly := context.AfterFunc(d.stop, cancel)
	if err := d.acquire(ctx); err != nil {
		stopEarly()
		cancel()
		d.wg.Done()
		return nil, x.fail(ctx, err, false)
	}
	fail := func(err error) (*Stream, error) {
		cancel()
		d.release()
		d.wg.Done()
		return nil, err
	}
	resp, err := x.send(ctx)
	if err != nil {
		stopEarly()
		return fail(x.fail(ctx, err, false))
	}
	if resp.StatusCode != http.StatusOK {
		stopEarly()
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		if rerr != nil {
			return fail(x.fail(ctx, rerr, true))
		}
		return fail(x.process(resp, body))
	}
	b := syn.SynapseBase()
	b.Dendrite = x.sent
	if hdr, err := synapse.ParseHeaders(resp.Header); err == nil {
		b.Axon.Merge(hdr.Axon)
	}
	b.Axon.StatusCode = synapse.StatusSuccess
	if b.Axon.StatusMessage == "" {
		b.Axon.StatusMessage = "Success"
	}
	s := &Stream{x: x, resp: resp, body: io.LimitReader(resp.Body, d.cfg.MaxResponseBytes), ctx: ctx}
	if d.cfg.VerifyResponses {
		// One byte past the cap tells a stream too long to prove from one that ends there.
		s.verify, s.sum, s.body = true, sha3.New256(), io.LimitReader(resp.Body, d.cfg.MaxResponseBytes+1)
	}
	s.release = func() {
		s.once.Do(func() {
			cancel()
			resp.Body.Close()
			d.release()
			d.wg.Done()
		})
	}
	if !stopEarly() { // the dendrite is closing already
		s.release()
	}
	s.stopOnClose = context.AfterFunc(d.stop, s.release) // Close of the Dendrite ends the stream
	return s, nil
}

// Read reads the stream's bytes. At the end it returns io.EOF and the synapse's status is
// 200; on a failure it returns a *synapse.StatusError, also set in the synapse.
func (s *Stream) Read(p []byte) (int, error) {
	if s.done {
		return 0, s.errOrEOF()
	}
	n, err := s.body.Read(p)
	if s.verify {
		if max := s.x.d.cfg.MaxResponseBytes; int64(len(s.kept)+n) > max {
			n = int(max) - len(s.kept)
			s.keep(p[:n])
			s.end(s.x.finish(synapse.StatusBadRequest, fmt.Sprintf("Payload error: the stream exceeds %d bytes, more than a signed stream may hold (dendrite.Config.MaxResponseBytes)", max)))
			return n, s.err
		}
		s.keep(p[:n])
	}
	switch {
	case err == io.EOF:
		s.finish(nil)
		return n, s.errOrEOF()
	case err != nil:
		s.finish(err)
		return n, s.err
	}
	return n, nil
}

// keep adds bytes read to the stream's hash and copy.
func (s *Stream) keep(b []byte) {
	s.sum.Write(b) // never fails
	s.kept = append(s.kept, b...)
}

// Proof returns the stream's ResponseProof: non-nil only with Config.VerifyResponses, once
// the stream was read to its end and the axon's signature of it verified. Its Body is the
// raw streamed bytes.
func (s *Stream) Proof() *ResponseProof { return s.proof }

// checkTrailer verifies the axon's signature of the whole stream, read to its end, and
// keeps the proof; it returns the outcome's error, nil when the signature is good.
func (s *Stream) checkTrailer() error {
	x := s.x
	v := s.resp.Trailer.Get(synapse.HeaderResponseSignature)
	if v == "" {
		return x.finish(synapse.StatusNotVerified, fmt.Sprintf("Failed verification: the axon %s did not sign its stream (no %s trailer; Python axons never sign, call them without VerifyResponses)", x.axon.Hotkey, synapse.HeaderResponseSignature))
	}
	sig, err := keys.ParseSignature(v)
	msg := synapse.StreamSignatureMessage(x.sent.Nonce, x.sent.Hotkey, x.axon.Hotkey.SS58(), x.sent.UUID, x.requestHash, [32]byte(s.sum.Sum(nil)))
	if err != nil || !x.d.verifiers.Verify(x.axon.Hotkey, msg, sig) {
		return x.finish(synapse.StatusNotVerified, fmt.Sprintf("Failed verification: the stream is not signed by the axon's hotkey %s", x.axon.Hotkey))
	}
	s.proof = &ResponseProof{Nonce: x.sent.Nonce, UUID: x.sent.UUID, Dendrite: x.sent.Hotkey, Axon: x.axon.Hotkey.SS58(),
		RequestHash: x.requestHash, Body: s.kept, Signature: sig}
	s.kept = nil // the proof owns it now
	return nil
}

func (s *Stream) errOrEOF() error {
	if s.err != nil {
		return s.err
	}
	return io.EOF
}

// finish records the stream's outcome once and releases the call.
func (s *Stream) finish(err error) {
	if s.done {
		return
	}
	switch {
	case err != nil:
		s.end(s.x.fail(s.ctx, err, true))
	case s.verify:
		if verr := s.checkTrailer(); verr != nil {
			s.end(verr)
			return
		}
		fallthrough
	default:
		s.end(s.x.finish(synapse.StatusSuccess, "Success"))
	}
}

// end records the outcome err (nil: success) and releases the call.
func (s *Stream) end(err error) {
	s.done = true
	s.err = err
	s.kept = nil
	s.stopOnClose()
	s.release()
}

// Close stops reading and releases the connection. Closing before the end records the
// status as 200 if nothing failed so far: the caller chose to stop. A stream closed before
// its end has no Proof.
func (s *Stream) Close() error {
	if !s.done {
		s.done = true
		s.err = s.x.finish(synapse.StatusSuccess, "Success (closed by the caller before the end)")
		s.kept = nil // no proof of a stream not read to its end
	}
	s.stopOnClose()
	s.release()
	if s.err != nil && !errors.Is(s.err, io.EOF) {
		return s.err
	}
	return nil
}

// Event is one server-sent event.
type Event struct {
	Name string // the "event:" field; empty for the default "message"
	ID   string
	Data []byte // the "data:" lines joined by "\n"
}

// ErrNotEventStream is what Events yields when the axon answered with another content type
// than text/event-stream: typically it serves the synapse as a plain request and response,
// whose JSON body would otherwise read as a stream without events.
var ErrNotEventStream = errors.New("dendrite: the axon's answer is not an event stream")

// EventStream returns nil when the answer is an event stream, else an ErrNotEventStream
// naming its Content-Type: a caller that picks among axons (a gateway) checks it before it
// commits to this one, since Events would fail only once the caller began its own answer.
func (s *Stream) EventStream() error {
	if ct := s.resp.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "text/event-stream" {
			return fmt.Errorf("%w: Content-Type %q (the axon serves %s without streaming; call it with Call)", ErrNotEventStream, ct, s.x.t.Name())
		}
	}
	return nil
}

// Events reads the stream as server-sent events (the WHATWG text/event-stream format). The
// sequence ends at the end of the stream, or with one error; the first is ErrNotEventStream
// when the answer's Content-Type is not text/event-stream.
func (s *Stream) Events() iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if err := s.EventStream(); err != nil {
			s.finish(err)
			yield(Event{}, err)
			return
		}
		r := bufio.NewReader(s)
		var ev Event
		var data [][]byte
		have := false
		for {
			line, err := r.ReadBytes('\n')
			if len(line) > 0 || err == nil {
				line = bytes.TrimRight(line, "\r\n")
				if len(line) == 0 {
					if have {
						ev.Data = bytes.Join(data, []byte("\n"))
						if !yield(ev, nil) {
							return
						}
					}
					ev, data, have = Event{}, nil, false
				} else if line[0] != ':' {
					field, value, _ := bytes.Cut(line, []byte(":"))
					value = bytes.TrimPrefix(value, []byte(" "))
					have = true
					switch string(field) {
					case "event":
						ev.Name = string(value)
					case "id":
						ev.ID = string(value)
					case "data":
						data = append(data, bytes.Clone(value))
					}
				}
			}
			if err != nil {
				if err != io.EOF {
					yield(Event{}, err)
				}
				return
			}
		}
	}
}
