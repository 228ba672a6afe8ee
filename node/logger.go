package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	cmtlog "github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/libs/service"
)

// cometLogger adapts slog to CometBFT's logger. CometBFT is chatty at info
// level, so its info lines become slog debug unless verbose is set.
type cometLogger struct {
	l       *slog.Logger
	verbose bool
}

func newCometLogger(l *slog.Logger, verbose bool) cmtlog.Logger {
	return cometLogger{l: l.With("module", "cometbft"), verbose: verbose}
}

func (c cometLogger) log(level slog.Level, msg string, kv []any) {
	if !c.l.Enabled(context.Background(), level) {
		return
	}
	c.l.Log(context.Background(), level, msg, normalize(kv)...)
}

// normalize makes CometBFT's key/value pairs safe for slog: keys must be
// strings, and a dangling key gets a placeholder value.
func normalize(kv []any) []any {
	out := make([]any, 0, len(kv)+1)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			k = fmt.Sprint(kv[i])
		}
		if i+1 < len(kv) {
			out = append(out, k, kv[i+1])
		} else {
			out = append(out, k, "(missing)")
		}
	}
	return out
}

func (c cometLogger) Debug(msg string, kv ...any) { c.log(slog.LevelDebug, msg, kv) }
func (c cometLogger) Info(msg string, kv ...any) {
	if c.verbose {
		c.log(slog.LevelInfo, msg, kv)
	} else {
		c.log(slog.LevelDebug, msg, kv)
	}
}
func (c cometLogger) Error(msg string, kv ...any) {
	if shutdownNoise(msg, kv) {
		c.log(slog.LevelDebug, msg, kv)
		return
	}
	c.log(slog.LevelError, msg, kv)
}

// stopTwiceMessages are CometBFT error lines whose error is only "already
// stopped" when a node shuts down: the blocksync reactor stops a pool that
// its own routine already stopped on switching to consensus, and the
// websocket handler stops a connection whose read loop stopped it when the
// RPC server closed. Any other error under these messages still logs as an
// error.
var stopTwiceMessages = map[string]string{
	"Error stopping pool":             "err",
	"error while stopping connection": "error",
}

// notStartedMessages are CometBFT's lines for stopping the consensus state
// of a node stopped while it still syncs blocks: consensus starts only once
// the node caught up, so stopping it finds nothing started.
var notStartedMessages = map[string]string{
	"Error stopping consensus state": "err",
}

// shutdownNoise reports CometBFT's error lines that a clean stop produces
// (listeners closing under their accept loops, services stopped twice).
func shutdownNoise(msg string, kv []any) bool {
	if msg == "Stopped accept routine, as transport is closed" || msg == "Not stopping State service -- has not been started yet" {
		return true
	}
	if key, ok := stopTwiceMessages[msg]; ok {
		return hasError(kv, key, service.ErrAlreadyStopped)
	}
	if key, ok := notStartedMessages[msg]; ok {
		return hasError(kv, key, service.ErrNotStarted)
	}
	for _, v := range kv {
		if e, ok := v.(error); ok && strings.Contains(e.Error(), "use of closed network connection") {
			return true
		}
	}
	return false
}

// hasError reports whether kv holds target (or an error wrapping it) under key.
func hasError(kv []any, key string, target error) bool {
	for i := 0; i+1 < len(kv); i += 2 {
		if k, _ := kv[i].(string); k == key {
			if e, ok := kv[i+1].(error); ok && errors.Is(e, target) {
				return true
			}
		}
	}
	return false
}

func (c cometLogger) With(kv ...any) cmtlog.Logger {
	return cometLogger{l: c.l.With(normalize(kv)...), verbose: c.verbose}
}
