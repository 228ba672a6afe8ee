package axon_test

import (
	"io"
	"log/slog"
)

// slogTo logs debug and up as text to w.
func slogTo(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
