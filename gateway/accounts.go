package gateway

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
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

func newID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// account is a key's live state: its record, the rate window, today's tokens and its credit,
// with usage not yet flushed. Guarded by mu.
type account struct {
	mu          sync.Mutex
	key         Key
	windowStart time.Time
	windowCount int64
	day         string
	tokensToday int64
	spent       int64 // RAO, flushed and pending
	credited    int64 // RAO
	pending     map[string]*Usage
}

// accounts caches accounts by key hash and id. Safe for concurrent use.
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
	tok, ok := strings.CutPrefix(h, "Bearer ")
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

func (a *accounts) load(ctx context.Context, k Key) (*account, error) {
	today := day(a.now())
	tokens, spent, credited, err := a.store.Totals(ctx, k.ID, today)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if acc := a.byID[k.ID]; acc != nil { // loaded meanwhile
		return acc, nil
	}
	acc := &account{key: k, day: today, tokensToday: tokens, spent: spent, credited: credited, pending: map[string]*Usage{}}
	a.byHash[k.Hash], a.byID[k.ID] = acc, acc
	return acc, nil
}

// forget drops a key from the cache (after revoke, rotate or a limit change), flushing
// nothing: its pending usage stays in dirty until the next flush.
func (a *accounts) forget(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if acc := a.byID[id]; acc != nil {
		delete(a.byID, id)
		delete(a.byHash, acc.key.Hash)
	}
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

func (a *accounts) limits(k Key) (rpm, tpd int64) {
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

// admit counts one request against acc's window and checks its quota and credit for m,
// setting the X-RateLimit-* headers on h.
func (a *accounts) admit(acc *account, m Model, h http.Header) *APIError {
	now := a.now()
	rpm, tpd := a.limits(acc.key)
	acc.mu.Lock()
	defer acc.mu.Unlock()
	if d := day(now); d != acc.day {
		acc.day, acc.tokensToday = d, 0
	}
	if now.Sub(acc.windowStart) >= time.Minute {
		acc.windowStart, acc.windowCount = now.Truncate(time.Minute), 0
	}
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
			return &APIError{Status: http.StatusTooManyRequests, Type: "requests", Code: "rate_limit_exceeded", RetryAfter: reset,
				Message: fmt.Sprintf("Rate limit reached: %d requests per minute for this key. Retry in %d s, or ask for a higher limit with POST /v1/limit_requests.", rpm, reset)}
		}
		h.Set("X-RateLimit-Remaining", strconv.FormatInt(remaining, 10))
		h.Set("X-RateLimit-Remaining-Requests", strconv.FormatInt(remaining, 10))
	}
	h.Set("X-RateLimit-Limit-Tokens", strconv.FormatInt(tpd, 10))
	h.Set("X-RateLimit-Remaining-Tokens", strconv.FormatInt(max(0, tpd-acc.tokensToday), 10))
	if acc.tokensToday >= tpd {
		untilMidnight := int(now.UTC().Truncate(24*time.Hour).Add(24*time.Hour).Sub(now).Seconds()) + 1
		if m.PriceRAOPer1K == 0 {
			return &APIError{Status: http.StatusTooManyRequests, Type: "tokens", Code: "rate_limit_exceeded", RetryAfter: untilMidnight,
				Message: fmt.Sprintf("Daily quota of %d tokens used for this key; it resets at 00:00 UTC. Ask for a higher quota with POST /v1/limit_requests.", tpd)}
		}
		if acc.credited-acc.spent <= 0 {
			return &APIError{Status: http.StatusTooManyRequests, Type: "insufficient_quota", Code: "insufficient_quota", RetryAfter: untilMidnight,
				Message: fmt.Sprintf("Daily free quota of %d tokens used and no TAO credit left. Transfer TAO to this key's deposit address (GET /v1/balance), or wait for 00:00 UTC.", tpd)}
		}
	}
	acc.windowCount++
	return nil
}

// record adds one request's tokens, charging what goes beyond the free quota at m's price.
func (a *accounts) record(acc *account, m Model, prompt, completion int64) (cost int64) {
	_, tpd := a.limits(acc.key)
	acc.mu.Lock()
	tokens := prompt + completion
	free := min(tokens, max(0, tpd-acc.tokensToday))
	if paid := tokens - free; paid > 0 && m.PriceRAOPer1K > 0 {
		cost = int64((uint64(paid)*m.PriceRAOPer1K + 999) / 1000)
	}
	acc.tokensToday += tokens
	acc.spent += cost
	u := acc.pending[m.ID]
	if u == nil {
		u = &Usage{KeyID: acc.key.ID, Day: acc.day, Model: m.ID}
		acc.pending[m.ID] = u
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

// flush writes pending usage to the store; on failure it is kept for the next flush.
func (a *accounts) flush(ctx context.Context) error {
	a.mu.Lock()
	dirty := a.dirty
	a.dirty = map[*account]bool{}
	a.mu.Unlock()
	var rows []Usage
	taken := map[*account]map[string]*Usage{}
	for acc := range dirty {
		acc.mu.Lock()
		taken[acc] = acc.pending
		for _, u := range acc.pending {
			rows = append(rows, *u)
		}
		acc.pending = map[string]*Usage{}
		acc.mu.Unlock()
	}
	if len(rows) == 0 {
		return nil
	}
	if err := a.store.AddUsage(ctx, rows); err != nil {
		for acc, p := range taken { // put it back
			acc.mu.Lock()
			for m, u := range p {
				if cur := acc.pending[m]; cur != nil {
					cur.Requests += u.Requests
					cur.PromptTokens += u.PromptTokens
					cur.CompletionTokens += u.CompletionTokens
					cur.CostRAO += u.CostRAO
				} else {
					acc.pending[m] = u
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

// words counts whitespace-separated words, the built-in model's token unit.
func words(s string) int64 { return int64(len(strings.Fields(s))) }
