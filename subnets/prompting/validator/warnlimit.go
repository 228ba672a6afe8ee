package validator

import (
	"log/slog"
	"sync"
	"time"
)

// warnEvery is how often a failure that keeps repeating is logged again.
const warnEvery = time.Minute

// maxWarnKeys bounds how many distinct failures warnLimiter remembers.
const maxWarnKeys = 64

// warnLimiter logs a warning the first time a message is seen with a given error text, then
// at most once per warnEvery, with how many repeats were left out meanwhile: a reference
// backend that is down fails for every sampled miner at every step, and one line per miner
// per step buries the rest of the log. Its zero value is ready to use.
type warnLimiter struct {
	now func() time.Time // nil means time.Now
	mu  sync.Mutex
	// seen is keyed by message and error text.
	seen map[string]*warnSeen
}

type warnSeen struct {
	last       time.Time // when it was last logged
	suppressed int       // repeats left out since then
}

// warn logs msg at WARN with err and args, unless the same msg and error text were logged
// less than warnEvery ago; then it only counts the repeat.
func (l *warnLimiter) warn(log *slog.Logger, msg string, err error, args ...any) {
	now := time.Now()
	if l.now != nil {
		now = l.now()
	}
	key := msg + "\x00" + err.Error()
	l.mu.Lock()
	s := l.seen[key]
	if s != nil && now.Sub(s.last) < warnEvery {
		s.suppressed++
		l.mu.Unlock()
		return
	}
	if s == nil {
		if l.seen == nil || len(l.seen) >= maxWarnKeys {
			l.seen = l.prune(now)
		}
		s = &warnSeen{}
		l.seen[key] = s
	}
	prev, suppressed := s.last, s.suppressed
	s.last, s.suppressed = now, 0
	l.mu.Unlock()

	args = append([]any{"err", err}, args...)
	if prev.IsZero() {
		args = append(args, "repeats", "logged at most once a minute, with a count")
	} else {
		args = append(args, "repeats_suppressed", suppressed, "since", now.Sub(prev).Round(time.Second).String())
	}
	log.Warn(msg, args...)
}

// prune returns seen without the failures not logged for warnEvery (their next occurrence
// is logged anyway), or empty when all are recent. l.mu is held.
func (l *warnLimiter) prune(now time.Time) map[string]*warnSeen {
	out := make(map[string]*warnSeen, maxWarnKeys)
	for k, s := range l.seen {
		if now.Sub(s.last) < warnEvery {
			out[k] = s
		}
	}
	if len(out) >= maxWarnKeys {
		clear(out)
	}
	return out
}
