package validator

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/subnets/prompting/challenge"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/synapse"
)

// OrganicConfig configures the organic traffic hook: real user requests the gateway routed,
// with the miners' answers, scored by the validator when it can check them.
type OrganicConfig struct {
	// Addr is where the validator's HTTP server listens (host:port), answering
	// POST /organic and GET /healthz. Empty means no server; Organic still works in-process.
	Addr string
	// Token is a bearer token POST /organic accepts ("Authorization: Bearer TOKEN"). Empty
	// means none.
	Token string
	// Signers are the hotkeys whose Epistula-signed POST /organic requests are accepted: the
	// gateway's hotkey, typically. The signature must be for this validator's hotkey
	// (Epistula-Signed-For), at most SignatureWindow old, and its uuid not seen before.
	Signers []keys.PublicKey
	// Queue is how many samples may wait to be scored; beyond it Organic refuses at once.
	// Zero means 256.
	Queue int
	// PerStep is the most organic scores folded into one uid's reward per step, so that
	// organic traffic cannot drown the validator's own tasks. Zero means 8.
	PerStep int
	// Ready, when set, receives the address the server listens on.
	Ready func(addr string)
}

// Limits of the organic hook.
const (
	// SignatureWindow is how far an Epistula timestamp may be from the validator's clock.
	SignatureWindow = time.Minute
	// MaxOrganicBody bounds a POST /organic body.
	MaxOrganicBody = 1 << 20
	// MaxOrganicAnswers bounds the answers in one sample.
	MaxOrganicAnswers = 64
)

// organicBodyTimeout bounds how long a POST /organic body may take to arrive.
var organicBodyTimeout = 30 * time.Second

// ErrOrganicFull: the organic queue is full and the sample was dropped; send fewer, or
// raise OrganicConfig.Queue.
var ErrOrganicFull = errors.New("validator: organic queue full; sample dropped")

// ErrOrganicSample: the sample is malformed.
var ErrOrganicSample = errors.New("validator: bad organic sample")

// Validate reports a setting that cannot work, naming the flag to fix.
func (c OrganicConfig) Validate() error {
	if c.Queue < 0 || c.PerStep < 0 {
		return fmt.Errorf("validator: Organic.Queue = %d and Organic.PerStep = %d; want positive numbers (0 for the defaults)", c.Queue, c.PerStep)
	}
	if c.Addr != "" && c.Token == "" && len(c.Signers) == 0 {
		return errors.New("validator: the organic endpoint needs a bearer token or at least one signer hotkey (--organic.token or --organic.signers); without one it would accept anybody's scores")
	}
	return nil
}

// OrganicStats counts what the organic hook did since start.
type OrganicStats struct {
	Received   uint64 `json:"received"`   // samples queued
	Dropped    uint64 `json:"dropped"`    // samples refused because the queue was full
	Unscorable uint64 `json:"unscorable"` // samples no challenge parsed and no reference could judge
	Scored     uint64 `json:"scored"`     // answers scored
	Ignored    uint64 `json:"ignored"`    // answers from a hotkey not at its uid, or over PerStep
}

type pending struct {
	hotkey string
	sum    float64
	n      int
}

// organic is the hook's state; safe for concurrent use.
type organic struct {
	cfg   OrganicConfig
	queue chan protocol.OrganicSample

	mu      sync.Mutex
	pending map[uint16]pending
	seen    map[string]time.Time // Epistula uuids within the window

	received, dropped, unscorable, scored, ignored atomic.Uint64
}

func newOrganic(cfg OrganicConfig) *organic {
	if cfg.Queue == 0 {
		cfg.Queue = 256
	}
	if cfg.PerStep == 0 {
		cfg.PerStep = 8
	}
	return &organic{cfg: cfg, queue: make(chan protocol.OrganicSample, cfg.Queue), pending: map[uint16]pending{}, seen: map[string]time.Time{}}
}

// add records one organic score for uid's hotkey.
func (o *organic) add(uid uint16, hotkey string, score float64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	p := o.pending[uid]
	if p.hotkey != hotkey {
		p = pending{hotkey: hotkey} // the uid changed hands: the old scores are not this miner's
	}
	if p.n >= o.cfg.PerStep {
		o.ignored.Add(1)
		return
	}
	p.sum, p.n = p.sum+score, p.n+1
	o.pending[uid] = p
	o.scored.Add(1)
}

// fold returns the mean of reward and uid's pending organic scores, and clears them.
func (o *organic) fold(uid uint16, hotkey string, reward float64) float64 {
	o.mu.Lock()
	p, ok := o.pending[uid]
	delete(o.pending, uid)
	o.mu.Unlock()
	if !ok || p.hotkey != hotkey || p.n == 0 {
		return reward
	}
	return (reward + p.sum) / float64(1+p.n)
}

// OrganicStats reports the organic hook's counters.
func (v *Validator) OrganicStats() OrganicStats {
	o := v.org
	return OrganicStats{Received: o.received.Load(), Dropped: o.dropped.Load(), Unscorable: o.unscorable.Load(), Scored: o.scored.Load(), Ignored: o.ignored.Load()}
}

// Organic queues a real user request and the miners' answers to it for scoring, and
// returns at once: ErrOrganicSample when the sample is malformed, ErrOrganicFull when the
// queue is full (the sample is dropped and counted), else nil. Scoring happens while Run
// runs: an answer to a prompt a challenge family parses is checked as that challenge;
// otherwise, when the validator has a reference backend, it is scored by FreeScore against
// the reference's completion of the same messages; otherwise the sample is counted as
// unscorable. Each score (× the latency factor of the reported latency) joins the uid's
// next step reward. ctx is not used beyond the call: scoring outlives it.
func (v *Validator) Organic(_ context.Context, s protocol.OrganicSample) error {
	if err := v.checkSample(s); err != nil {
		return err
	}
	select {
	case v.org.queue <- s:
		v.org.received.Add(1)
		return nil
	default:
		v.org.dropped.Add(1)
		return ErrOrganicFull
	}
}

func (v *Validator) checkSample(s protocol.OrganicSample) error {
	switch {
	case s.Netuid != 0 && s.Netuid != v.cfg.Netuid:
		return fmt.Errorf("%w: it is for subnet %d and this validator runs subnet %d", ErrOrganicSample, s.Netuid, v.cfg.Netuid)
	case len(s.Messages) == 0 || lastUser(s.Messages) == "":
		return fmt.Errorf("%w: it has no user message", ErrOrganicSample)
	case len(s.Answers) == 0:
		return fmt.Errorf("%w: it has no answers", ErrOrganicSample)
	case len(s.Answers) > MaxOrganicAnswers:
		return fmt.Errorf("%w: %d answers; at most %d", ErrOrganicSample, len(s.Answers), MaxOrganicAnswers)
	}
	return nil
}

func lastUser(msgs []protocol.Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == "user" {
			return msgs[i].Content
		}
	}
	return ""
}

// scoreOrganicLoop scores queued samples until ctx ends.
func (v *Validator) scoreOrganicLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-v.org.queue:
			v.scoreOrganic(ctx, s)
		}
	}
}

// judge returns how to credit an answer to msgs (in [0, 1], before the latency factor),
// or nil when the validator cannot tell.
func (v *Validator) judge(ctx context.Context, s protocol.OrganicSample) (func(string) float64, challenge.Family) {
	prompt := lastUser(s.Messages)
	// Only a lone user message is a challenge: earlier turns could change its meaning.
	if len(s.Messages) == 1 {
		if c, ok := challenge.Parse(prompt); ok {
			return func(a string) float64 {
				if c.Check(a) {
					return 1
				}
				return 0
			}, c.Family
		}
	}
	if v.cfg.Reference == nil {
		return nil, ""
	}
	ref, err := v.reference(ctx, &protocol.Chat{Messages: s.Messages, MaxTokens: s.MaxTokens, Temperature: s.Temperature, Seed: s.Seed})
	if err != nil {
		if ctx.Err() == nil {
			v.warns.warn(v.log, "reference backend failed on an organic request; not scored", err)
		}
		return nil, ""
	}
	return func(a string) float64 { return FreeCredit(prompt, a, ref) }, ""
}

func (v *Validator) scoreOrganic(ctx context.Context, s protocol.OrganicSample) {
	credit, family := v.judge(ctx, s)
	if credit == nil {
		v.org.unscorable.Add(1)
		return
	}
	d := v.base.Metagraph().Data()
	prompt := lastUser(s.Messages)
	for _, a := range s.Answers {
		// Only the miner now at that uid earns or loses by it.
		if int(a.UID) >= len(d.Hotkeys) || d.Hotkeys[a.UID] != a.Hotkey {
			v.org.ignored.Add(1)
			continue
		}
		score := 0.0
		if !a.Failed {
			score = credit(a.Completion) * LatencyFactor(time.Duration(a.LatencyMS)*time.Millisecond, v.timeout)
		}
		v.org.add(a.UID, a.Hotkey, score)
		v.report(Scored{UID: a.UID, Hotkey: a.Hotkey, Kind: "organic", Family: family, Prompt: prompt, Answer: a.Completion, Score: score})
	}
}

// serve answers POST /organic and GET /healthz on ln until ctx ends.
func (v *Validator) serve(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("/healthz", v.base.HealthHandler())
	mux.Handle("/organic", v.OrganicHandler())
	return neuron.ServeHTTP(ctx, ln, mux, "validator: organic endpoint")
}

// OrganicHandler answers POST /organic: a JSON protocol.OrganicSample, authenticated by
// the bearer token or an Epistula signature of an allowed signer (OrganicConfig). It
// answers 202 when the sample is queued, 400 when it is malformed, 401 when it is not
// authenticated, 503 with Retry-After when the queue is full.
func (v *Validator) OrganicHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			httpError(w, http.StatusMethodNotAllowed, "use POST with a JSON organic sample")
			return
		}
		// The endpoint's server has no ReadTimeout; without this deadline a client that
		// stops sending its body (signed or not: it is read before the check) holds the
		// connection and a goroutine forever.
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Now().Add(organicBodyTimeout))
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxOrganicBody))
		if err == nil {
			_ = rc.SetReadDeadline(time.Time{})
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over %d bytes; send one sample per request", MaxOrganicBody))
			return
		}
		if err != nil {
			httpError(w, http.StatusRequestTimeout, fmt.Sprintf("the body did not arrive in full within %s: %v", organicBodyTimeout, err))
			return
		}
		if err := v.authenticate(r.Header, body, time.Now()); err != nil {
			httpError(w, http.StatusUnauthorized, err.Error())
			return
		}
		var s protocol.OrganicSample
		if err := json.Unmarshal(body, &s); err != nil {
			httpError(w, http.StatusBadRequest, "the body is not a JSON organic sample: "+err.Error())
			return
		}
		switch err := v.Organic(r.Context(), s); {
		case errors.Is(err, ErrOrganicFull):
			w.Header().Set("Retry-After", "1")
			httpError(w, http.StatusServiceUnavailable, err.Error())
		case err != nil:
			httpError(w, http.StatusBadRequest, err.Error())
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusAccepted)
			_, _ = io.WriteString(w, `{"queued":true}`+"\n")
		}
	})
}

func httpError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// authenticate accepts the configured bearer token, or an Epistula v2 signature over body
// by an allowed signer, for this validator, within SignatureWindow of now, with a uuid not
// seen in that window (so a captured request cannot be replayed).
func (v *Validator) authenticate(h http.Header, body []byte, now time.Time) error {
	if tok, ok := strings.CutPrefix(h.Get("Authorization"), "Bearer "); ok && v.cfg.Organic.Token != "" {
		if subtle.ConstantTimeCompare([]byte(tok), []byte(v.cfg.Organic.Token)) == 1 {
			return nil
		}
		return errors.New("wrong bearer token; use the validator's --organic.token")
	}
	if !synapse.IsEpistula(h) {
		return errors.New("not authenticated: send Authorization: Bearer TOKEN or an Epistula signature by an allowed hotkey (--organic.signers)")
	}
	e, err := synapse.ParseEpistula(h)
	if err != nil {
		return err
	}
	if !slices.Contains(v.cfg.Organic.Signers, e.SignedBy) {
		return fmt.Errorf("signer %s is not allowed; add it to the validator's --organic.signers", e.SignedBy.SS58())
	}
	if e.SignedFor != v.cfg.Hotkey.SS58() {
		return fmt.Errorf("the signature is for %q, not this validator (%s); set Epistula-Signed-For to the validator's hotkey", e.SignedFor, v.cfg.Hotkey.SS58())
	}
	if d := now.Sub(time.UnixMilli(e.Timestamp)); d > SignatureWindow || d < -SignatureWindow {
		return fmt.Errorf("the signature's timestamp is %s from the validator's clock; at most %s is accepted: check both clocks", d.Round(time.Second), SignatureWindow)
	}
	if !e.Verify(body) {
		return errors.New("the Epistula signature does not verify over the body")
	}
	o := v.org
	o.mu.Lock()
	defer o.mu.Unlock()
	for id, t := range o.seen {
		if now.Sub(t) > 2*SignatureWindow {
			delete(o.seen, id)
		}
	}
	key := e.SignedBy.SS58() + "/" + e.UUID
	if _, dup := o.seen[key]; dup {
		return errors.New("this signed request was already received (replayed uuid)")
	}
	o.seen[key] = now
	return nil
}
