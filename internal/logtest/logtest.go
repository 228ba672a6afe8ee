// Package logtest collects what a component logs from many goroutines, for
// tests that check what was logged.
package logtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
)

// Buffer is a bytes.Buffer safe for concurrent writes and reads.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write implements io.Writer.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// JSONLogger logs debug and up to b as JSON, one record a line.
func (b *Buffer) JSONLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Records decodes each line written so far as a JSON record into a new T and
// returns those at level (as slog writes it: "WARN"; empty means all). T
// receives the record's fields by their JSON names; its Level field, if any,
// is filled too.
func Records[T any](b *Buffer, level string) ([]T, error) {
	var out []T
	for line := range strings.Lines(b.String()) {
		var lv struct{ Level string }
		if err := json.Unmarshal([]byte(line), &lv); err != nil {
			return nil, fmt.Errorf("log line %q is not a JSON record: %w", line, err)
		}
		if level != "" && lv.Level != level {
			continue
		}
		var r T
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, fmt.Errorf("log line %q: %w", line, err)
		}
		out = append(out, r)
	}
	return out, nil
}
