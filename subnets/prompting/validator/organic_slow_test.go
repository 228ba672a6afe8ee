package validator

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/internal/bodydeadline/halfbody"
)

// A client that stops sending its POST /organic body half-way gets an answer instead of
// holding the connection: the body is read before the signature can be checked, so
// anybody could otherwise hold the endpoint's connections open.
func TestOrganicSlowBodyIsCutOff(t *testing.T) {
	old := organicBodyTimeout
	organicBodyTimeout = 200 * time.Millisecond
	t.Cleanup(func() { organicBodyTimeout = old })
	v := hookOnly(t, OrganicConfig{Token: "secret"})
	srv := httptest.NewServer(v.OrganicHandler())
	defer srv.Close()
	line, err := halfbody.Send(srv.Listener.Addr().String(), "POST /organic HTTP/1.1", nil, 20*time.Second) // far beyond organicBodyTimeout
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(line, " 408 ") {
		t.Fatalf("got %q, want 408 (body not read in time)", line)
	}
}
