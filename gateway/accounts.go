package gateway

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
)

// keyPrefix starts every API key, so leaked keys are recognisable to secret scanners.
const keyPrefix = "sk-gt-"

// newSecret returns a fresh API key (keyPrefix + 43 base64url characters of 32 random
// bytes) and its stored hash.
func newSecret() (key, hash string) {
	var b [32]byte
	rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	key = keyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return key, hashKey(key)
}

func hashKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// fastID is 32 hex digits unique to one request: a random per-process prefix and a
// counter. Response and request ids need uniqueness, not secrecy, and this costs no
// system call per request as crypto/rand may.
func fastID() string {
	var b [16]byte
	copy(b[:8], idPrefix[:])
	binary.BigEndian.PutUint64(b[8:], idSeq.Add(1))
	return hex.EncodeToString(b[:])
}

var (
	idPrefix = func() (p [8]byte) { rand.Read(p[:]); return }()
	idSeq    atomic.Uint64
)

func newID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// account is a key's live state: its record, the rate window, today's tokens, its credit,
// the holds of its requests in flight, and usage not yet flushed. One account lives per
// key id for the gateway's life, so rotating a key or changing its limits keeps its
// counters (the store has only flushed usage). key is swapped whole; the rest is guarded
// by mu.
type account struct {
	k atomic.Pointer[Key]

	mu          sync.Mutex
	windowStart time.Time
	windowCount int64
	day         string
	tokensToday int64
	spent       int64 // RAO, flushed and pending
	credited    int64 // RAO
	heldTokens  int64 // estimated tokens of priced requests in flight
	heldRAO     int64 // their estimated price beyond the free tokens
	pending     map[usageKey]*Usage
}

func (acc *account) key() *Key { return acc.k.Load() }

type usageKey struct{ day, model string }

// hold is what one admitted request reserved on its account until it is recorded or
// released.
type hold struct{ tokens, rao int64 }

// completionEstimate is the completion length assumed for a priced request that sets no
// max_tokens, when reserving credit for it.
const completionEstimate = 256

// accounts caches accounts by key hash (active keys only) and id. The hash map is the
// auth cache: a key found there was verified against the store. Safe for concurrent use.
type accounts struct {
	store *Store
	tiers map[string]Tier
	now   func() time.Time

	mu     sync.Mutex
	byHash map[string]*account
	byID   map[string]*account
	dirty  map[*account]bool
}

func newAccounts(s *Store, tiers map[string]Tier, now func() time.Time) *accounts {
	return &accounts{store: s, tiers: tiers, now: now, byHash: map[string]*account{}, byID: map[string]*account{}, dirty: map[*account]bool{}}
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// authenticate resolves the Authorization header to an active key's account.
func (a *accounts) authenticate(ctx context.Context, r *http.Request) (*account, *APIError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, errAuth("You didn't provide an API key. Send it as 'Authorization: Bearer sk-gt-...'; an operator creates keys with 'btcli gateway keys create'.")
	}
	scheme, tok, ok := strings.Cut(h, " ")
	ok = ok && strings.EqualFold(scheme, "Bearer") // auth schemes are case-insensitive (RFC 9110)
	tok = strings.TrimSpace(tok)
	if !ok || !strings.HasPrefix(tok, keyPrefix) || len(tok) != len(keyPrefix)+43 {
		return nil, errAuth("Malformed API key. Send 'Authorization: Bearer sk-gt-...' with the whole key as it was issued.")
	}
	hash := hashKey(tok)
	a.mu.Lock()
	acc := a.byHash[hash]
	a.mu.Unlock()
	if acc != nil {
		return acc, nil
	}
	k, err := a.store.KeyByHash(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return nil, errAuth("Incorrect API key provided. Check the key, or ask the operator for a new one.")
	}
	if err != nil {
		return nil, &APIError{Status: http.StatusServiceUnavailable, Type: "api_error", Message: "The key store is unavailable; retry shortly.", Cause: err}
	}
	if k.Revoked != 0 {
		return nil, errAuth("This API key was revoked. Ask the operator for a new one.")
	}
	acc, err = a.load(ctx, k)
	if err != nil {
		return nil, &APIError{Status: http.StatusServiceUnavailable, Type: "api_error", Message: "The key store is unavailable; retry shortly.", Cause: err}
	}
	return acc, nil
}

// load returns k's account, reading its totals from the store the first time, and caches
// it under k's hash.
func (a *accounts) load(ctx context.Context, k Key) (*account, error) {
	a.mu.Lock()
	acc := a.byID[k.ID]
	a.mu.Unlock()
	if acc == nil {
		today := day(a.now())
		tokens, spent, credited, err := a.store.Totals(ctx, k.ID, today)
		if err != nil {
			return nil, err
		}
		acc = &account{day: today, tokensToday: tokens, spent: spent, credited: credited, pending: map[usageKey]*Usage{}}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if cur := a.byID[k.ID]; cur != nil { // loaded before or meanwhile: its counters are live
		acc = cur
	}
	a.set(acc, k)
	return acc, nil
}

// set installs record k on acc and the auth cache. Callers hold a.mu.
func (a *accounts) set(acc *account, k Key) {
	if old := acc.key(); old != nil && a.byHash[old.Hash] == acc {
		delete(a.byHash, old.Hash)
	}
	acc.k.Store(&k)
	a.byID[k.ID] = acc
	if k.Revoked == 0 {
		a.byHash[k.Hash] = acc
	}
}

// reload re-reads key id after a revoke, rotate or limit change and updates its cached
// account in place, so the change holds from the next request on while the account's
// counters and unflushed usage stay. If the store cannot be read the key leaves the auth
// cache, so its next request reads the store.
func (a *accounts) reload(ctx context.Context, id string) {
	k, err := a.store.Key(ctx, id)
	a.mu.Lock()
	defer a.mu.Unlock()
	acc := a.byID[id]
	if acc == nil {
		return
	}
	if err != nil {
		if old := acc.key(); a.byHash[old.Hash] == acc {
			delete(a.byHash, old.Hash)
		}
		return
	}
	a.set(acc, k)
}

// refresh re-reads every cached key, so that a revoke, rotate or limit change made by
// another gateway sharing the database takes effect here too.
func (a *accounts) refresh(ctx context.Context) error {
	a.mu.Lock()
	n := len(a.byID)
	a.mu.Unlock()
	if n == 0 {
		return nil
	}
	ks, err := a.store.Keys(ctx)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, k := range ks {
		if acc := a.byID[k.ID]; acc != nil && *acc.key() != k {
			a.set(acc, k)
		}
	}
	return nil
}

// credit adds a confirmed deposit to a cached account.
func (a *accounts) credit(id string, rao int64) {
	a.mu.Lock()
	acc := a.byID[id]
	a.mu.Unlock()
	if acc != nil {
		acc.mu.Lock()
		acc.credited += rao
		acc.mu.Unlock()
	}
}

func (a *accounts) limits(k *Key) (rpm, tpd int64) {
	t, ok := a.tiers[k.Tier]
	if !ok {
		t = a.tiers["free"]
	}
	rpm, tpd = t.RequestsPerMinute, t.TokensPerDay
	if k.RPM > 0 {
		rpm = k.RPM
	}
	if k.TokensPerDay > 0 {
		tpd = k.TokensPerDay
	}
	return rpm, tpd
}

func price(tokens int64, m Model) int64 {
	if tokens <= 0 || m.PriceRAOPer1K == 0 {
		return 0
	}
	return int64((uint64(tokens)*m.PriceRAOPer1K + 999) / 1000)
}

// admit counts one request against acc's window and checks its quota and credit for m,
// setting the X-RateLimit-* headers on h. est is the request's estimated tokens (prompt
// plus max_tokens, or completionEstimate without it).
//
// Credit holds the bound on overspending under concurrency: a request on a priced model
// is admitted on free tokens only while the day's free tokens, less the estimates of the
// key's requests in flight, are not used up, and otherwise only while its credit, less
// the holds of its paid requests in flight, is positive; either way it holds its estimate
// until record or release. So the balance goes below zero by at most one request's price
// (the last one admitted), plus whatever requests in flight use beyond their estimates
// (none when miners keep to max_tokens).
func (a *accounts) admit(acc *account, m Model, est int64, h http.Header) (hold, *APIError) {
	now := a.now()
	rpm, tpd := a.limits(acc.key())
	acc.mu.Lock()
	defer acc.mu.Unlock()
	if d := day(now); d != acc.day {
		acc.day, acc.tokensToday = d, 0
	}
	if now.Sub(acc.windowStart) >= time.Minute {
		acc.windowStart, acc.windowCount = now.Truncate(time.Minute), 0
	}
	h.Set("X-RateLimit-Limit-Tokens", strconv.FormatInt(tpd, 10))
	h.Set("X-RateLimit-Remaining-Tokens", strconv.FormatInt(max(0, tpd-acc.tokensToday), 10))
	untilMidnight := func() int { return int(now.UTC().Truncate(24*time.Hour).Add(24*time.Hour).Sub(now).Seconds()) + 1 }
	h.Set("X-RateLimit-Reset-Tokens", strconv.Itoa(untilMidnight())+"s")
	reset := max(1, int(acc.windowStart.Add(time.Minute).Sub(now).Seconds()+0.999))
	if rpm > 0 {
		remaining := max(0, rpm-acc.windowCount-1)
		h.Set("X-RateLimit-Limit", strconv.FormatInt(rpm, 10))
		h.Set("X-RateLimit-Reset", strconv.Itoa(reset))
		h.Set("X-RateLimit-Limit-Requests", strconv.FormatInt(rpm, 10))
		h.Set("X-RateLimit-Reset-Requests", strconv.Itoa(reset)+"s")
		if acc.windowCount >= rpm {
			h.Set("X-RateLimit-Remaining", "0")
			h.Set("X-RateLimit-Remaining-Requests", "0")
			return hold{}, &APIError{Status: http.StatusTooManyRequests, Type: "requests", Code: "rate_limit_exceeded", RetryAfter: reset,
				Message: fmt.Sprintf("Rate limit reached: %d requests per minute for this key. Retry in %d s, or ask for a higher limit with POST /v1/limit_requests.", rpm, reset)}
		}
		h.Set("X-RateLimit-Remaining", strconv.FormatInt(remaining, 10))
		h.Set("X-RateLimit-Remaining-Requests", strconv.FormatInt(remaining, 10))
	}
	// A request refused below is not counted in the window: its headers say so.
	notCounted := func() {
		if rpm > 0 {
			h.Set("X-RateLimit-Remaining", strconv.FormatInt(max(0, rpm-acc.windowCount), 10))
			h.Set("X-RateLimit-Remaining-Requests", strconv.FormatInt(max(0, rpm-acc.windowCount), 10))
		}
	}
	if acc.tokensToday >= tpd && m.PriceRAOPer1K == 0 {
		notCounted()
		return hold{}, &APIError{Status: http.StatusTooManyRequests, Type: "tokens", Code: "rate_limit_exceeded", RetryAfter: untilMidnight(),
			Message: fmt.Sprintf("Daily quota of %d tokens used for this key; it resets at 00:00 UTC. Ask for a higher quota with POST /v1/limit_requests.", tpd)}
	}
	var hd hold
	if m.PriceRAOPer1K > 0 {
		free := tpd - acc.tokensToday - acc.heldTokens
		if free <= 0 {
			if acc.credited-acc.spent-acc.heldRAO <= 0 {
				msg := fmt.Sprintf("Daily free quota of %d tokens used and no TAO credit left. Transfer TAO to this key's deposit address (GET /v1/balance), or wait for 00:00 UTC.", tpd)
				if acc.heldRAO > 0 || acc.heldTokens > 0 {
					msg = fmt.Sprintf("Daily free quota of %d tokens used and this key's TAO credit is reserved by its requests in flight. Retry when they finish, or transfer TAO to this key's deposit address (GET /v1/balance).", tpd)
				}
				notCounted()
				return hold{}, &APIError{Status: http.StatusTooManyRequests, Type: "insufficient_quota", Code: "insufficient_quota", RetryAfter: untilMidnight(), Message: msg}
			}
			hd.rao = price(est, m)
		} else if est > free {
			hd.rao = price(est-free, m)
		}
		hd.tokens = est
		acc.heldTokens += hd.tokens
		acc.heldRAO += hd.rao
	}
	acc.windowCount++
	return hd, nil
}

// release gives back what an admitted request held; after record it does nothing.
func (a *accounts) release(acc *account, hd *hold) {
	if *hd == (hold{}) {
		return
	}
	acc.mu.Lock()
	acc.heldTokens -= hd.tokens
	acc.heldRAO -= hd.rao
	acc.mu.Unlock()
	*hd = hold{}
}

// record adds one request's tokens, charging what goes beyond the free quota at m's price,
// and releases its hold.
func (a *accounts) record(acc *account, m Model, prompt, completion int64, hd *hold) (cost int64) {
	k := acc.key()
	_, tpd := a.limits(k)
	acc.mu.Lock()
	acc.heldTokens -= hd.tokens
	acc.heldRAO -= hd.rao
	*hd = hold{}
	tokens := prompt + completion
	free := min(tokens, max(0, tpd-acc.tokensToday))
	cost = price(tokens-free, m)
	acc.tokensToday += tokens
	acc.spent += cost
	uk := usageKey{acc.day, m.ID}
	u := acc.pending[uk]
	if u == nil {
		u = &Usage{KeyID: k.ID, Day: acc.day, Model: m.ID}
		acc.pending[uk] = u
	}
	u.Requests++
	u.PromptTokens += prompt
	u.CompletionTokens += completion
	u.CostRAO += cost
	acc.mu.Unlock()
	a.mu.Lock()
	a.dirty[acc] = true
	a.mu.Unlock()
	return cost
}

// flush writes pending usage to the store in one transaction; on failure it is kept for
// the next flush. Pending usage is summed per (key, day, model) as requests are recorded,
// so what waits between flushes is bounded by the keys in use, not by the request rate.
func (a *accounts) flush(ctx context.Context) error {
	a.mu.Lock()
	dirty := a.dirty
	a.dirty = map[*account]bool{}
	a.mu.Unlock()
	var rows []Usage
	taken := map[*account]map[usageKey]*Usage{}
	for acc := range dirty {
		acc.mu.Lock()
		taken[acc] = acc.pending
		for _, u := range acc.pending {
			rows = append(rows, *u)
		}
		acc.pending = map[usageKey]*Usage{}
		acc.mu.Unlock()
	}
	if len(rows) == 0 {
		return nil
	}
	if err := a.store.AddUsage(ctx, rows); err != nil {
		for acc, p := range taken { // put it back
			acc.mu.Lock()
			for uk, u := range p {
				if cur := acc.pending[uk]; cur != nil {
					cur.Requests += u.Requests
					cur.PromptTokens += u.PromptTokens
					cur.CompletionTokens += u.CompletionTokens
					cur.CostRAO += u.CostRAO
				} else {
					acc.pending[uk] = u
				}
			}
			acc.mu.Unlock()
			a.mu.Lock()
			a.dirty[acc] = true
			a.mu.Unlock()
		}
		return err
	}
	return nil
}

// words counts whitespace-separated words (as strings.Fields splits them, without
// building the slice), the built-in model's token unit.
func words(s string) int64 {
	var n int64
	in := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
		} else if !in {
			in, n = true, n+1
		}
	}
	return n
}
