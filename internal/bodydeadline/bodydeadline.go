// Package bodydeadline bounds how long an HTTP client may take to send a
// request body, for servers that cannot set http.Server.ReadTimeout (it
// would also cancel the context of every response streamed past it).
// Without a bound, a client trickling a body, or one a handler refuses
// unread (net/http then discards up to 256 KiB of it before answering),
// holds a connection and a goroutine for as long as it likes, before any
// credential is checked.
package bodydeadline

import (
	"net/http"
	"time"
)

// Set puts a read deadline of d on r's connection when r has a body.
// net/http lifts it itself once the body is read to its end (it then starts
// the read that watches for the client going away), so it does not cut a
// request served for longer than d.
func Set(w http.ResponseWriter, r *http.Request, d time.Duration) {
	if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
	}
}

// Handler is h with Set applied to every request.
func Handler(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Set(w, r, d)
		h.ServeHTTP(w, r)
	})
}
