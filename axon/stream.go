package axon

import (
	"bytes"
	"crypto/sha3"
	"fmt"
	"net/http"
	"strings"
)

// Stream is the response of a streaming synapse (reference §2.7): status 200, content type
// text/event-stream and the synapse's headers go out with the first write; then each Write
// is sent and flushed at once. The chunk format is the subnet's: raw bytes as Bittensor
// sends them, or server-sent events with WriteEvent. A Stream is used by one handler
// goroutine; it is not safe for concurrent use.
//
// When the dendrite asks for a signed answer (synapse.HeaderSignResponse), the axon hashes
// every byte the stream sends and, once the handler returns nil, signs the whole streamed
// body as it signs a plain answer, in the HTTP trailer synapse.HeaderResponseSignature. A
// stream that fails gets no signature.
type Stream struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	begin   func() // writes the status line and headers
	started bool
	err     error
	sum     *sha3.SHA3 // the SHA3-256 of the bytes sent so far; nil when not signing
}

// Write sends p as a chunk and flushes it.
func (s *Stream) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	s.start()
	n, err := s.w.Write(p)
	if s.sum != nil {
		s.sum.Write(p[:n]) // never fails
	}
	if err == nil {
		err = s.rc.Flush()
	}
	if err != nil {
		s.err = fmt.Errorf("axon: stream write: %w", err)
	}
	return n, s.err
}

// WriteEvent sends one server-sent event: an "event:" line when event is not empty, a
// "data:" line per line of data, and a blank line.
func (s *Stream) WriteEvent(event string, data []byte) error {
	var b bytes.Buffer
	if event != "" {
		b.WriteString("event: ")
		b.WriteString(strings.NewReplacer("\n", " ", "\r", " ").Replace(event))
		b.WriteByte('\n')
	}
	for line := range bytes.Lines(data) {
		b.WriteString("data: ")
		b.Write(bytes.TrimRight(line, "\r\n"))
		b.WriteByte('\n')
	}
	if len(data) == 0 {
		b.WriteString("data: \n")
	}
	b.WriteByte('\n')
	_, err := s.Write(b.Bytes())
	return err
}

// Started reports whether the response has begun (status and headers sent).
func (s *Stream) Started() bool { return s.started }

func (s *Stream) start() {
	if !s.started {
		s.started = true
		s.begin()
	}
}
