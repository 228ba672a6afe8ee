package gateway

import (
	"io"
	"net/http"
	"time"
)

// bodyReadTimeout bounds how long a client may take to send a request body. The server
// has no ReadTimeout (it would cancel the context of every stream running past it), so
// without this a client trickling a body, or one a handler refuses unread (net/http then
// discards up to 256 KiB of it before answering), holds a connection and a goroutine for
// as long as it likes, before any API key is checked.
var bodyReadTimeout = 30 * time.Second

// deadlineBody lifts the connection's read deadline once the body has been read to its
// end, so the server's own read that watches for the client going away does not time out
// and cancel the request while it is being served.
type deadlineBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	cleared bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.cleared {
		b.cleared = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// limitBodyTime sets a read deadline of bodyReadTimeout on a request that has a body, and
// returns the request with its body wrapped to lift the deadline at its end.
func limitBodyTime(w http.ResponseWriter, r *http.Request) *http.Request {
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return r
	}
	rc := http.NewResponseController(w)
	if rc.SetReadDeadline(time.Now().Add(bodyReadTimeout)) != nil {
		return r
	}
	r = r.WithContext(r.Context())
	r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
	return r
}
