package node

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/libs/service"
)

// TestCometLoggerDemotesStopTwice checks the adapter's levels for CometBFT's
// error lines: the two "already stopped" lines a clean shutdown produces
// become debug, while the same messages with another error, and other
// errors carrying "already stopped", stay errors.
func TestCometLoggerDemotesStopTwice(t *testing.T) {
	cases := []struct {
		name  string
		log   func(l interface{ Error(string, ...any) })
		level string
	}{
		{"blocksync pool stopped twice", func(l interface{ Error(string, ...any) }) {
			l.Error("Error stopping pool", "err", service.ErrAlreadyStopped)
		}, "DEBUG"},
		{"websocket connection stopped twice", func(l interface{ Error(string, ...any) }) {
			l.Error("error while stopping connection", "error", service.ErrAlreadyStopped)
		}, "DEBUG"},
		{"wrapped already stopped", func(l interface{ Error(string, ...any) }) {
			l.Error("Error stopping pool", "err", fmt.Errorf("pool: %w", service.ErrAlreadyStopped))
		}, "DEBUG"},
		{"pool fails to stop otherwise", func(l interface{ Error(string, ...any) }) {
			l.Error("Error stopping pool", "err", errors.New("disk full"))
		}, "ERROR"},
		{"already stopped under another key", func(l interface{ Error(string, ...any) }) {
			l.Error("Error stopping pool", "peer", service.ErrAlreadyStopped)
		}, "ERROR"},
		{"already stopped as text, not the error", func(l interface{ Error(string, ...any) }) {
			l.Error("error while stopping connection", "error", "already stopped")
		}, "ERROR"},
		{"consensus state stopped before it started", func(l interface{ Error(string, ...any) }) {
			l.Error("Error stopping consensus state", "err", service.ErrNotStarted)
		}, "DEBUG"},
		{"state service not started", func(l interface{ Error(string, ...any) }) {
			l.Error("Not stopping State service -- has not been started yet", "impl", "State")
		}, "DEBUG"},
		{"consensus state fails to stop otherwise", func(l interface{ Error(string, ...any) }) {
			l.Error("Error stopping consensus state", "err", service.ErrAlreadyStopped)
		}, "ERROR"},
		{"another service not started", func(l interface{ Error(string, ...any) }) {
			l.Error("Not stopping Switch service -- has not been started yet", "impl", "Switch")
		}, "ERROR"},
		{"already stopped under another message", func(l interface{ Error(string, ...any) }) {
			l.Error("Error stopping reactor", "err", service.ErrAlreadyStopped)
		}, "ERROR"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := newCometLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), false)
			// Through With as CometBFT does (module, remote), which must keep the rule.
			c.log(l.With("module", "blocksync"))
			out := buf.String()
			if !strings.Contains(out, "level="+c.level) {
				t.Fatalf("want level %s, got %q", c.level, out)
			}
		})
	}
	// At the default info level the demoted lines are not shown at all.
	var buf bytes.Buffer
	l := newCometLogger(slog.New(slog.NewTextHandler(&buf, nil)), false)
	l.Error("Error stopping pool", "err", service.ErrAlreadyStopped)
	l.Error("error while stopping connection", "error", service.ErrAlreadyStopped)
	if buf.Len() != 0 {
		t.Fatalf("shutdown lines shown at info level: %q", buf.String())
	}
}
