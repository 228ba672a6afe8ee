package neuron_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/neuron"
)

// logSink collects JSON log records; safe for concurrent use.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *logSink) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(s, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// warnings returns the messages of the WARN records whose text contains sub.
func (s *logSink) warnings(t *testing.T, sub string) []string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for line := range strings.Lines(s.buf.String()) {
		var r struct{ Level, Msg string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if r.Level == "WARN" && strings.Contains(strings.ToLower(r.Msg), sub) {
			out = append(out, r.Msg)
		}
	}
	return out
}

// A miner without --axon.external_ip warns once, naming the flag; the axon's own warning,
// which names the Go field Config.ExternalIP, is for axon's library users only.
func TestMinerNoExternalIPHintOnce(t *testing.T) {
	validator, miner := key(t, "//Validator"), key(t, "//M2")
	f := newFakeChain(t, validator.Public(), false)
	f.hotkeys[2] = miner.Public()

	var sink logSink
	cfg := neuron.TestConfig()
	cfg.Axon.IP = "0.0.0.0" // the binaries' default: a wildcard listener
	cfg.Logger = sink.logger()
	m, err := neuron.NewMiner(cfg, f, miner)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- m.Run(ctx) }()
	for m.Axon().Addr() == nil {
		select {
		case err := <-errc:
			t.Fatalf("miner stopped: %v", err)
		case <-time.After(5 * time.Millisecond): // waiting for Run to bind
		}
	}
	cancel()
	if err := <-errc; err != nil { // the axon's Serve has run (and logged) when Run returns
		t.Fatal(err)
	}
	w := sink.warnings(t, "external")
	if len(w) != 1 || !strings.Contains(w[0], "--axon.external_ip") || strings.Contains(w[0], "Config.") {
		t.Errorf("miner's external-IP warnings = %q, want one naming --axon.external_ip and no Go field", w)
	}

	// The axon used as a library still names its Config field.
	var lib logSink
	acfg := axon.TestConfig()
	acfg.Addr = "0.0.0.0:0" // a wildcard listener and no ExternalIP: nothing to publish
	acfg.Logger = lib.logger()
	ax, err := axon.New(miner, acfg)
	if err != nil {
		t.Fatal(err)
	}
	actx, acancel := context.WithCancel(t.Context())
	acancel() // Run serves (and warns) before it sees ctx has ended
	if err := ax.Run(actx); err != nil {
		t.Fatal(err)
	}
	if w := lib.warnings(t, "external"); len(w) != 1 || !strings.Contains(w[0], "Config.ExternalIP") {
		t.Errorf("axon's external-IP warnings = %q, want one naming Config.ExternalIP", w)
	}
}
