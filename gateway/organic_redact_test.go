package gateway

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/internal/logtest"
)

// A password in the organic URL (basic auth to the validator) never reaches the logs,
// nor do the errors of a URL that cannot work.
func TestOrganicURLPasswordNotLogged(t *testing.T) {
	var logs logtest.Buffer
	f, err := NewOrganicForwarder(OrganicConfig{URL: "http://gw:s3cret-pw@127.0.0.1:1/organic", Token: "t", Workers: 1, Queue: 1,
		Timeout: time.Second, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.Run(ctx); close(done) }()
	f.OnSample(chatSample(2)) // delivered to a closed port: fails and is logged
	f.OnSample(chatSample(2))
	f.OnSample(chatSample(2)) // the queue holds one: some are dropped, which is logged too
	for f.Stats().Failed == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	out := logs.String()
	if !strings.Contains(out, "organic sample not delivered") || !strings.Contains(out, "gw:xxxxx@127.0.0.1:1") {
		t.Fatalf("want the failure logged with the URL redacted; logs:\n%s", out)
	}
	if strings.Contains(out, "s3cret-pw") {
		t.Fatalf("the URL's password is in the logs:\n%s", out)
	}
	for _, bad := range []string{"http://gw:s3cret-pw@[::1/organic", "gw:s3cret-pw@127.0.0.1:1/organic"} {
		_, err := NewOrganicForwarder(OrganicConfig{URL: bad, Token: "t"})
		if err == nil || strings.Contains(err.Error(), "s3cret-pw") {
			t.Fatalf("URL %q: err %v; want an error without the password", bad, err)
		}
	}
}
