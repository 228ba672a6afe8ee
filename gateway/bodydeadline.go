package gateway

import (
	"net/http"
	"time"

	"github.com/gotensor/gotensor/internal/bodydeadline"
)

// bodyReadTimeout bounds how long a client may take to send a request body (see package
// bodydeadline); a variable so tests can shorten it.
var bodyReadTimeout = 30 * time.Second

// limitBodyTime sets a read deadline of bodyReadTimeout on a request that has a body.
func limitBodyTime(w http.ResponseWriter, r *http.Request) { bodydeadline.Set(w, r, bodyReadTimeout) }
