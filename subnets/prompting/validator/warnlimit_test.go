package validator

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotensor/gotensor/internal/logtest"
	"github.com/gotensor/gotensor/node/nodetest"
	"github.com/gotensor/gotensor/subnets/prompting/miner"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
)

type warnRecord struct {
	Msg, Err, Repeats string
	Suppressed        *int `json:"repeats_suppressed"`
}

// warnings returns the WARN records in b.
func warnings(t *testing.T, b *logtest.Buffer) []warnRecord {
	t.Helper()
	w, err := logtest.Records[warnRecord](b, "WARN")
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// An unreachable OpenAI reference backend fails for every miner at every step; the warning
// is logged once per distinct error, then at most once a minute with the count left out,
// and still says what to check.
func TestReferenceFailureLoggedOncePerMinute(t *testing.T) {
	var buf logtest.Buffer
	down := "http://127.0.0.1:" + strconv.Itoa(nodetest.FreePort(t)) + "/v1" // nothing listens there
	v := &Validator{
		cfg:     Config{Reference: miner.OpenAI{BaseURL: down, Model: "m"}},
		log:     slog.New(slog.NewJSONHandler(&buf, nil)),
		timeout: time.Second,
	}
	clock := time.Unix(1_700_000_000, 0)
	v.warns.now = func() time.Time { return clock }
	ctx := context.Background()
	step := func(miners int) {
		var wg sync.WaitGroup
		for i := range miners {
			wg.Go(func() {
				if _, ok := v.free(ctx, nil, i, uint64(i+1)); ok {
					t.Errorf("free prompt scored with the reference backend down")
				}
			})
		}
		wg.Wait()
	}
	step(8)
	step(8)
	w := warnings(t, &buf)
	if len(w) != 1 {
		t.Fatalf("two steps of 8 miners logged %d warnings, want 1: %+v", len(w), w)
	}
	if !strings.Contains(w[0].Msg, "asking a challenge instead") || !strings.Contains(w[0].Err, "is the server at "+down+" running?") ||
		w[0].Repeats == "" || w[0].Suppressed != nil {
		t.Errorf("first warning %+v: want the message, the error with what to check, and how repeats are logged", w[0])
	}

	clock = clock.Add(warnEvery)
	step(3)
	w = warnings(t, &buf)
	if len(w) != 2 || w[1].Suppressed == nil || *w[1].Suppressed != 15 || !strings.Contains(w[1].Err, "running?") {
		t.Fatalf("a minute later: %+v, want a second warning counting the 15 left out", w)
	}

	// Another failure (an organic request's, or another error text) is logged on its own.
	if score, _ := v.judge(ctx, protocol.OrganicSample{Messages: []protocol.Message{{Role: "user", Content: "write a poem"}}}); score != nil {
		t.Fatal("organic request scored with the reference backend down")
	}
	v.cfg.Reference = miner.OpenAI{BaseURL: "http://127.0.0.1:" + strconv.Itoa(nodetest.FreePort(t)) + "/v1", Model: "m"}
	step(2)
	w = warnings(t, &buf)
	if len(w) != 4 || !strings.Contains(w[2].Msg, "organic request") || w[3].Err == w[1].Err {
		t.Fatalf("an organic failure and another error: %+v, want one warning each", w)
	}
}
