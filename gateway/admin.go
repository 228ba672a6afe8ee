package gateway

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/synapse"
)

type handle func(pattern, route string, f func(http.ResponseWriter, *http.Request) *APIError)

func (g *Gateway) adminRoutes(h handle) {
	admin := func(f func(http.ResponseWriter, *http.Request) *APIError) func(http.ResponseWriter, *http.Request) *APIError {
		return func(w http.ResponseWriter, r *http.Request) *APIError {
			if g.cfg.AdminToken == "" {
				return &APIError{Status: http.StatusForbidden, Type: "invalid_request_error", Code: "admin_disabled",
					Message: "This gateway's admin API is off: it was started without an admin token (cmd/gateway --admin-token or GATEWAY_ADMIN_TOKEN; localnet's gateway has none). Restart it with one to manage keys."}
			}
			tok := r.Header.Get("Authorization")
			want := "Bearer " + g.cfg.AdminToken
			if subtle.ConstantTimeCompare([]byte(tok), []byte(want)) != 1 {
				return &APIError{Status: http.StatusUnauthorized, Type: "invalid_request_error", Code: "invalid_admin_token",
					Message: "The admin API needs 'Authorization: Bearer <admin token>' (the gateway's --admin-token)."}
			}
			return f(w, r)
		}
	}
	h("POST /admin/keys", "admin", admin(g.adminCreateKey))
	h("GET /admin/keys", "admin", admin(g.adminListKeys))
	h("GET /admin/keys/{id}", "admin", admin(g.adminGetKey))
	h("POST /admin/keys/{id}/revoke", "admin", admin(g.adminRevokeKey))
	h("DELETE /admin/keys/{id}", "admin", admin(g.adminRevokeKey))
	h("POST /admin/keys/{id}/rotate", "admin", admin(g.adminRotateKey))
	h("GET /admin/limit_requests", "admin", admin(g.adminLimitRequests))
	h("POST /admin/limit_requests/{id}/approve", "admin", admin(g.adminDecide(true)))
	h("POST /admin/limit_requests/{id}/reject", "admin", admin(g.adminDecide(false)))
}

func storeError(err error, what string) *APIError {
	if errors.Is(err, ErrNotFound) {
		return &APIError{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "not_found", Message: what + " not found.", Cause: err}
	}
	return &APIError{Status: http.StatusInternalServerError, Type: "api_error", Message: "The gateway's store failed; retry, and check the gateway's logs.", Cause: err}
}

// KeyCreated is a new (or rotated) key: Key is shown once and never again.
type KeyCreated struct {
	Key
	Secret string `json:"key"`
}

// CreateKey makes a key in tier (empty: free) and returns it with its secret.
func (g *Gateway) CreateKey(r *http.Request, name, tier string) (KeyCreated, error) {
	if tier == "" {
		tier = "free"
	}
	if _, ok := g.cfg.Tiers[tier]; !ok {
		return KeyCreated{}, fmt.Errorf("%w: tier %q", ErrNotFound, tier)
	}
	secret, hash := newSecret()
	k := Key{ID: "key_" + newID(8), Hash: hash, Prefix: secret[:len(keyPrefix)+4], Name: name, Tier: tier, Created: g.cfg.Now().Unix()}
	addr, err := g.DepositAddress(k.ID)
	if err != nil {
		return KeyCreated{}, err
	}
	k.DepositAddress = addr
	if err := g.store.CreateKey(r.Context(), k); err != nil {
		return KeyCreated{}, err
	}
	return KeyCreated{Key: k, Secret: secret}, nil
}

func (g *Gateway) adminCreateKey(w http.ResponseWriter, r *http.Request) *APIError {
	var req struct {
		Name string `json:"name"`
		Tier string `json:"tier"`
	}
	if e := decode(r, &req); e != nil {
		return e
	}
	kc, err := g.CreateKey(r, req.Name, req.Tier)
	if errors.Is(err, ErrNotFound) {
		return errInvalid("tier", "Unknown tier %q; this gateway's tiers are %s (cmd/gateway --tiers sets them).", req.Tier, strings.Join(slices.Sorted(maps.Keys(g.cfg.Tiers)), ", "))
	}
	if err != nil {
		return storeError(err, "key")
	}
	writeJSON(w, http.StatusCreated, kc)
	return nil
}

func (g *Gateway) adminListKeys(w http.ResponseWriter, r *http.Request) *APIError {
	ks, err := g.store.Keys(r.Context())
	if err != nil {
		return storeError(err, "keys")
	}
	if ks == nil {
		ks = []Key{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": ks})
	return nil
}

func (g *Gateway) adminGetKey(w http.ResponseWriter, r *http.Request) *APIError {
	k, err := g.store.Key(r.Context(), r.PathValue("id"))
	if err != nil {
		return storeError(err, "key "+r.PathValue("id"))
	}
	writeJSON(w, http.StatusOK, k)
	return nil
}

func (g *Gateway) adminRevokeKey(w http.ResponseWriter, r *http.Request) *APIError {
	id := r.PathValue("id")
	if err := g.store.RevokeKey(r.Context(), id, g.cfg.Now().Unix()); err != nil {
		return storeError(err, "active key "+id)
	}
	g.acc.reload(r.Context(), id)
	k, _ := g.store.Key(r.Context(), id)
	writeJSON(w, http.StatusOK, k)
	return nil
}

func (g *Gateway) adminRotateKey(w http.ResponseWriter, r *http.Request) *APIError {
	id := r.PathValue("id")
	secret, hash := newSecret()
	if err := g.store.RotateKey(r.Context(), id, hash, secret[:len(keyPrefix)+4]); err != nil {
		return storeError(err, "active key "+id)
	}
	g.acc.reload(r.Context(), id)
	k, err := g.store.Key(r.Context(), id)
	if err != nil {
		return storeError(err, "key "+id)
	}
	writeJSON(w, http.StatusOK, KeyCreated{Key: k, Secret: secret})
	return nil
}

func (g *Gateway) adminLimitRequests(w http.ResponseWriter, r *http.Request) *APIError {
	rs, err := g.store.LimitRequests(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		return storeError(err, "limit requests")
	}
	if rs == nil {
		rs = []LimitRequest{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": rs})
	return nil
}

func (g *Gateway) adminDecide(approve bool) func(http.ResponseWriter, *http.Request) *APIError {
	return func(w http.ResponseWriter, r *http.Request) *APIError {
		lr, err := g.store.DecideLimitRequest(r.Context(), r.PathValue("id"), approve, g.cfg.Now().Unix())
		if err != nil {
			return storeError(err, "pending limit request "+r.PathValue("id"))
		}
		g.acc.reload(r.Context(), lr.KeyID)
		writeJSON(w, http.StatusOK, lr)
		return nil
	}
}

// User endpoints: balance, usage and limit requests of the calling key.

func (g *Gateway) balance(w http.ResponseWriter, r *http.Request) *APIError {
	acc, e := g.authed(r)
	if e != nil {
		return e
	}
	rpm, tpd := g.acc.limits(acc.key())
	acc.mu.Lock()
	credited, spent, today := acc.credited, acc.spent, acc.tokensToday
	acc.mu.Unlock()
	prices := map[string]uint64{}
	for _, m := range g.cfg.Models {
		prices[m.ID] = m.PriceRAOPer1K
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"key_id": acc.key().ID, "tier": acc.key().Tier, "deposit_address": acc.key().DepositAddress,
		"credited_rao": credited, "spent_rao": spent, "balance_rao": credited - spent,
		"requests_per_minute": rpm, "tokens_per_day": tpd, "tokens_today": today,
		"price_rao_per_1k_tokens": prices,
	})
	return nil
}

func (g *Gateway) usage(w http.ResponseWriter, r *http.Request) *APIError {
	acc, e := g.authed(r)
	if e != nil {
		return e
	}
	days := 30
	if s := r.URL.Query().Get("days"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 366 {
			return errInvalid("days", "'days' must be a whole number from 1 to 366")
		}
		days = n
	}
	if err := g.acc.flush(r.Context()); err != nil {
		return storeError(err, "usage")
	}
	since := day(g.cfg.Now().AddDate(0, 0, -(days - 1)))
	us, err := g.store.Usage(r.Context(), acc.key().ID, since)
	if err != nil {
		return storeError(err, "usage")
	}
	ds, err := g.store.Deposits(r.Context(), acc.key().ID)
	if err != nil {
		return storeError(err, "deposits")
	}
	if us == nil {
		us = []Usage{}
	}
	if ds == nil {
		ds = []Deposit{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "key_id": acc.key().ID, "data": us, "deposits": ds})
	return nil
}

func (g *Gateway) limitRequest(w http.ResponseWriter, r *http.Request) *APIError {
	acc, e := g.authed(r)
	if e != nil {
		return e
	}
	var req struct {
		RPM          int64  `json:"requests_per_minute"`
		TokensPerDay int64  `json:"tokens_per_day"`
		Reason       string `json:"reason"`
	}
	if e := decode(r, &req); e != nil {
		return e
	}
	if req.RPM < 0 || req.TokensPerDay < 0 || (req.RPM == 0 && req.TokensPerDay == 0) {
		return errInvalid("requests_per_minute", "Ask for a positive requests_per_minute and/or tokens_per_day.")
	}
	if len(req.Reason) > maxReasonBytes {
		return errInvalid("reason", "'reason' is %d bytes; keep it to %d.", len(req.Reason), maxReasonBytes)
	}
	// One pending request per key: these requests are not rate limited, and each is a row
	// the operator reads, so a key must not be able to file them without end.
	g.lrMu.Lock()
	defer g.lrMu.Unlock()
	if p, err := g.store.PendingLimitRequest(r.Context(), acc.key().ID); err == nil {
		return &APIError{Status: http.StatusConflict, Type: "invalid_request_error", Code: "limit_request_pending",
			Message: fmt.Sprintf("This key already has a pending limit request (%s); wait for the operator to approve or reject it before asking again.", p.ID)}
	} else if !errors.Is(err, ErrNotFound) {
		return storeError(err, "limit request")
	}
	rpm, tpd := g.acc.limits(acc.key())
	lr := LimitRequest{ID: "lr_" + newID(8), KeyID: acc.key().ID, RPM: max(req.RPM, rpm), TokensPerDay: max(req.TokensPerDay, tpd),
		Reason: req.Reason, Status: "pending", Created: g.cfg.Now().Unix()}
	if err := g.store.CreateLimitRequest(r.Context(), lr); err != nil {
		return storeError(err, "limit request")
	}
	writeJSON(w, http.StatusCreated, lr)
	return nil
}

// maxReasonBytes bounds a limit request's reason.
const maxReasonBytes = 2000

// subnetQuery is the generic passthrough: the body is the synapse's JSON fields; the chosen
// miner's synapse comes back as JSON.
func (g *Gateway) subnetQuery(w http.ResponseWriter, r *http.Request) *APIError {
	acc, e := g.authed(r)
	if e != nil {
		return e
	}
	n, err := strconv.ParseUint(r.PathValue("netuid"), 10, 16)
	if err != nil {
		return errInvalid("netuid", "netuid %q is not a subnet number", r.PathValue("netuid"))
	}
	netuid := uint16(n)
	// Billed at the dearest price of the subnet's models: the request may name any
	// model hint.
	var m Model
	found := false
	for _, mod := range g.cfg.Models {
		if mod.Netuid == netuid && (!found || mod.PriceRAOPer1K > m.PriceRAOPer1K) {
			m, found = mod, true
		}
	}
	mk := g.cfg.Synapses[r.PathValue("synapse")]
	if !found || mk == nil {
		return &APIError{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "not_found",
			Message: fmt.Sprintf("This gateway does not serve synapse %q on subnet %d; GET /v1/models lists the subnets served.", r.PathValue("synapse"), netuid)}
	}
	syn := mk()
	if e := decode(r, syn); e != nil {
		return e
	}
	m.ID = fmt.Sprintf("subnet-%d/%s", netuid, r.PathValue("synapse"))
	// A Chat is counted as /v1/chat/completions counts it, against the same quota and
	// credit; other synapses have no tokens to count.
	chat, isChat := syn.(*protocol.Chat)
	var est int64
	if isChat {
		est = promptWords(chat) + completionEstimate
		if chat.MaxTokens > 0 {
			est = promptWords(chat) + int64(min(chat.MaxTokens, maxTokensLimit))
		}
	}
	hd, e := g.acc.admit(acc, m, est, w.Header())
	if e != nil {
		return e
	}
	defer g.acc.release(acc, &hd)
	chosen, answers, done, err := g.router.query(r.Context(), netuid, syn, func(s synapse.Synapse) bool { return true })
	defer g.sampleWhen(done, netuid, r.PathValue("synapse"), acc, syn, answers, chosen)
	if err != nil {
		return g.upstreamError(r, netuid, err)
	}
	out := answers[chosen].Response
	b, err := json.Marshal(out)
	if err != nil {
		return &APIError{Status: http.StatusBadGateway, Type: "api_error", Message: "The miner's answer could not be encoded.", Cause: err}
	}
	var prompt, completion int64
	if ans, ok := out.(*protocol.Chat); isChat && ok && ans.Completion != nil {
		_, u := chatUsage(&call{chat: chat}, ans)
		prompt, completion = u.PromptTokens, u.CompletionTokens
	}
	g.acc.record(acc, m, prompt, completion, &hd)
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
	return nil
}
