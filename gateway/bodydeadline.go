package gateway

import (
	"net/http"
	"time"
)

// bodyReadTimeout bounds how long a client may take to send a request body. The server
// has no ReadTimeout (it would cancel the context of every stream running past it), so
// without this a client trickling a body, or one a handler refuses unread (net/http then
// discards up to 256 KiB of it before answering), holds a connection and a goroutine for
// as long as it likes, before any API key is checked.
var bodyReadTimeout = 30 * time.Second

// limitBodyTime sets a read deadline of bodyReadTimeout on a request that has a body.
// net/http lifts it itself once the body is read to its end (it then starts the read that
// watches for the client going away), so it does not cut a request served for longer.
func limitBodyTime(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(bodyReadTimeout))
	}
}
