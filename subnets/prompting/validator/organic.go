package validator

import (
	"context"
	"crypto/sha3"
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
	// RequireSigned drops every answer without a miner's signature (protocol.SignedAnswer),
	// failed marks included: the gateway then decides nothing about a miner's score, since
	// it could otherwise report good answers as failed. Turn it on when the gateway runs
	// with signed answers (its Config.SignedAnswers) and every miner is a Gotensor axon.
	// Streamed answers (the gateway's StreamMiners) are signed too, over the request's body
	// hash, which must be that of the sample's request.
	RequireSigned bool
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
	// ProofWindow is how far a signed answer's nonce (the request's time in Unix
	// nanoseconds, as dendrites set it) may be from the validator's clock; within it each
	// proof counts once, so a gateway cannot replay a miner's good answer.
	ProofWindow = 10 * time.Minute
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
	BadProof   uint64 `json:"bad_proof"`  // signed answers whose proof failed verification: dropped
	Unsigned   uint64 `json:"unsigned"`   // unsigned answers dropped under RequireSigned
}

type pending struct {
	hotkey string
	sum    float64
	n      int
}

// organic is the hook's state; safe for concurrent use.
type organic struct {
	cfg   OrganicConfig
	queue chan organicItem

	mu      sync.Mutex
	pending map[uint16]pending
	seen    *seenWindow // Epistula uuids within the window
	proofs  *seenWindow // signed answers scored (hotkey/dendrite/uuid/nonce), by nonce time

	received, dropped, unscorable, scored, ignored, badProof, unsigned atomic.Uint64
	badProofLogged                                                     atomic.Bool
}

// organicItem is a queued sample and who sent it: the SS58 of its Epistula signer, or ""
// when it came with the bearer token or in process.
type organicItem struct {
	s      protocol.OrganicSample
	signer string
}

func newOrganic(cfg OrganicConfig) *organic {
	if cfg.Queue == 0 {
		cfg.Queue = 256
	}
	if cfg.PerStep == 0 {
		cfg.PerStep = 8
	}
	return &organic{cfg: cfg, queue: make(chan organicItem, cfg.Queue), pending: map[uint16]pending{}, seen: newSeenWindow(2 * SignatureWindow), proofs: newSeenWindow(2 * ProofWindow)}
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
	return OrganicStats{Received: o.received.Load(), Dropped: o.dropped.Load(), Unscorable: o.unscorable.Load(), Scored: o.scored.Load(), Ignored: o.ignored.Load(), BadProof: o.badProof.Load(), Unsigned: o.unsigned.Load()}
}

// Organic queues a real user request and the miners' answers to it for scoring, and
// returns at once: ErrOrganicSample when the sample is malformed, ErrOrganicFull when the
// queue is full (the sample is dropped and counted), else nil. Scoring happens while Run
// runs: an answer to a prompt a challenge family parses is checked as that challenge;
// otherwise, when the validator has a reference backend, it is scored by FreeScore against
// the reference's completion of the same messages; otherwise the sample is counted as
// unscorable. Each score (× the latency factor of the reported latency) joins the uid's
// next step reward. ctx is not used beyond the call: scoring outlives it.
//
// An answer with a miner's signature (OrganicAnswer.Signed) is scored from the signed
// body (a JSON Chat answer, or a streamed answer's raw events), whatever Completion says,
// once the signature verifies; one that does not verify is
// dropped and counted (OrganicStats.BadProof). The signing dendrite must be an
// OrganicConfig.Signers hotkey when Signers are set (over HTTP with Epistula: the signer of
// the sample itself).
func (v *Validator) Organic(_ context.Context, s protocol.OrganicSample) error {
	return v.queueOrganic(organicItem{s: s})
}

func (v *Validator) queueOrganic(it organicItem) error {
	if err := v.checkSample(it.s); err != nil {
		return err
	}
	select {
	case v.org.queue <- it:
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
		case it := <-v.org.queue:
			v.scoreOrganic(ctx, it, nil)
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

// scoreOrganic scores the sample's answers; hotkeys are the subnet's by uid, nil for the
// metagraph's.
func (v *Validator) scoreOrganic(ctx context.Context, it organicItem, hotkeys []string) {
	s := it.s
	// What each answer says is settled (proofs checked) before the judge's reference call,
	// so that a sample left with nothing to score costs no reference completion.
	type answer struct {
		a      protocol.OrganicAnswer
		text   string
		failed bool
	}
	answers := make([]answer, 0, len(s.Answers))
	for _, a := range s.Answers {
		text, failed, ok := v.organicAnswer(s, a, it.signer)
		if ok {
			answers = append(answers, answer{a, text, failed})
		}
	}
	if len(answers) == 0 {
		return
	}
	credit, family := v.judge(ctx, s)
	if credit == nil {
		v.org.unscorable.Add(1)
		return
	}
	if hotkeys == nil {
		hotkeys = v.base.Metagraph().Data().Hotkeys
	}
	prompt := lastUser(s.Messages)
	for _, x := range answers {
		a := x.a
		// Only the miner now at that uid earns or loses by it.
		if int(a.UID) >= len(hotkeys) || hotkeys[a.UID] != a.Hotkey {
			v.org.ignored.Add(1)
			continue
		}
		score := 0.0
		if !x.failed {
			score = credit(x.text) * LatencyFactor(time.Duration(a.LatencyMS)*time.Millisecond, v.timeout)
		}
		v.org.add(a.UID, a.Hotkey, score)
		v.report(Scored{UID: a.UID, Hotkey: a.Hotkey, Kind: "organic", Family: family, Prompt: prompt, Answer: x.text, Score: score})
	}
}

// organicAnswer returns the text to score for a and whether it counts as failed; ok is
// false when a is dropped: its proof does not verify, or it is unsigned under
// RequireSigned. signer is the sample's Epistula signer ("" if none).
func (v *Validator) organicAnswer(s protocol.OrganicSample, a protocol.OrganicAnswer, signer string) (text string, failed, ok bool) {
	if a.Signed == nil {
		if v.cfg.Organic.RequireSigned {
			v.org.unsigned.Add(1)
			return "", false, false
		}
		return a.Completion, a.Failed, true
	}
	c, err := v.verifySigned(s, a, signer, time.Now())
	if errors.Is(err, errNoCompletion) {
		return "", true, true // the miner signed an answer without a completion: its failure
	}
	if err != nil {
		v.org.badProof.Add(1)
		if !v.org.badProofLogged.Swap(true) {
			v.log.Warn("organic answer dropped: its miner signature does not verify (the gateway altered it, or runs another version); later ones are only counted in bad_proof",
				"uid", a.UID, "hotkey", a.Hotkey, "err", err)
		}
		return "", false, false
	}
	return c, false, true
}

// verifySigned checks a's proof and returns the completion of its signed body: the
// signature is a.Hotkey's over synapse.ResponseSignatureMessage; the dendrite is the
// sample's signer (or one of OrganicConfig.Signers, when the sample had none); the nonce is
// within ProofWindow of now and not seen before; the body is a JSON Chat answer to the
// sample's messages, or the raw server-sent events of a streamed answer
// (protocol.IsStreamedBody), whose completion protocol.StreamedCompletion reads. A streamed
// answer does not repeat the request's messages, so for it they are the sample's word. A
// verified answer without a completion returns errNoCompletion.
func (v *Validator) verifySigned(s protocol.OrganicSample, a protocol.OrganicAnswer, signer string, now time.Time) (string, error) {
	p := a.Signed
	hk, err := keys.ParseSS58(a.Hotkey)
	if err != nil {
		return "", fmt.Errorf("the answer's hotkey %q is not an SS58 address", a.Hotkey)
	}
	switch {
	case signer != "" && p.Dendrite != signer:
		return "", fmt.Errorf("the miner answered dendrite %s, not the sample's signer %s", p.Dendrite, signer)
	case signer == "" && len(v.cfg.Organic.Signers) > 0 && !slices.ContainsFunc(v.cfg.Organic.Signers, func(k keys.PublicKey) bool { return k.SS58() == p.Dendrite }):
		return "", fmt.Errorf("the miner answered dendrite %s, which is not in --organic.signers", p.Dendrite)
	}
	sig, err := keys.ParseSignature(p.Signature)
	if err != nil {
		return "", err
	}
	streamed := protocol.IsStreamedBody(p.Body)
	msg := synapse.ResponseSignatureMessage(p.Nonce, p.Dendrite, a.Hotkey, p.UUID, p.Body)
	if streamed {
		// A streamed answer does not repeat the request; its signature covers the request's
		// body hash instead, which must be that of the request the sample describes.
		want, err := synapse.BodyHash(s.Request())
		if err != nil {
			return "", fmt.Errorf("the sample's request cannot be hashed: %v", err)
		}
		if p.RequestHash != want {
			return "", errors.New("the signed stream answers another request than the sample's (request_hash differs)")
		}
		msg = synapse.StreamSignatureMessage(p.Nonce, p.Dendrite, a.Hotkey, p.UUID, p.RequestHash, sha3.Sum256(p.Body))
	}
	if !keys.Verify(hk, msg, sig) {
		return "", fmt.Errorf("the signature is not %s's over the body", a.Hotkey)
	}
	var completion *string
	if streamed {
		// A streamed answer: its raw events, read as the gateway relayed them.
		text, err := protocol.StreamedCompletion(p.Body)
		if err != nil {
			return "", fmt.Errorf("the signed stream is not a streamed Chat answer: %v", err)
		}
		completion = &text
	} else {
		var c protocol.Chat
		if err := json.Unmarshal(p.Body, &c); err != nil {
			return "", fmt.Errorf("the signed body is not a JSON Chat: %v", err)
		}
		if !slices.Equal(c.Messages, s.Messages) {
			return "", errors.New("the signed answer is to other messages than the sample's")
		}
		completion = c.Completion
	}
	at := time.Unix(0, p.Nonce)
	if d := now.Sub(at); d > ProofWindow || d < -ProofWindow {
		return "", fmt.Errorf("the request's nonce is %s from the validator's clock; at most %s is accepted", d.Round(time.Second), ProofWindow)
	}
	o := v.org
	o.mu.Lock()
	defer o.mu.Unlock()
	key := fmt.Sprint(a.Hotkey, "/", p.Dendrite, "/", p.UUID, "/", p.Nonce) // one answer per request
	if !o.proofs.add(key, at, now) {
		return "", errors.New("this signed answer was already scored (replayed)")
	}
	if completion == nil {
		return "", errNoCompletion
	}
	return *completion, nil
}

// errNoCompletion: a verified signed answer has no completion.
var errNoCompletion = errors.New("the signed body has no completion")

// serve answers POST /organic, GET /organic/stats and GET /healthz on ln until ctx ends.
func (v *Validator) serve(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("/healthz", v.base.HealthHandler())
	mux.Handle("/organic", v.OrganicHandler())
	mux.Handle("/organic/stats", v.OrganicStatsHandler())
	return neuron.ServeHTTP(ctx, ln, mux, "validator: organic endpoint")
}

// OrganicStatsHandler answers GET /organic/stats with OrganicStats as JSON, so an operator
// sees whether the gateway's samples arrive and score (and how many proofs fail) without
// reading the weights. Counts only: no request content.
func (v *Validator) OrganicStatsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "use GET", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v.OrganicStats()) // a failed write means the caller left
	})
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
		signer, err := v.authenticate(r.Header, body, time.Now())
		if err != nil {
			httpError(w, http.StatusUnauthorized, err.Error())
			return
		}
		var s protocol.OrganicSample
		if err := json.Unmarshal(body, &s); err != nil {
			httpError(w, http.StatusBadRequest, "the body is not a JSON organic sample: "+err.Error())
			return
		}
		switch err := v.queueOrganic(organicItem{s: s, signer: signer}); {
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
// seen in that window (so a captured request cannot be replayed). signer is the Epistula
// signer's SS58, or "" for the bearer token.
func (v *Validator) authenticate(h http.Header, body []byte, now time.Time) (signer string, err error) {
	if tok, ok := strings.CutPrefix(h.Get("Authorization"), "Bearer "); ok && v.cfg.Organic.Token != "" {
		if subtle.ConstantTimeCompare([]byte(tok), []byte(v.cfg.Organic.Token)) == 1 {
			return "", nil
		}
		return "", errors.New("wrong bearer token; use the validator's --organic.token")
	}
	if !synapse.IsEpistula(h) {
		return "", errors.New("not authenticated: send Authorization: Bearer TOKEN or an Epistula signature by an allowed hotkey (--organic.signers)")
	}
	e, err := synapse.ParseEpistula(h)
	if err != nil {
		return "", err
	}
	if !slices.Contains(v.cfg.Organic.Signers, e.SignedBy) {
		return "", fmt.Errorf("signer %s is not allowed; add it to the validator's --organic.signers", e.SignedBy.SS58())
	}
	if e.SignedFor != v.cfg.Hotkey.SS58() {
		return "", fmt.Errorf("the signature is for %q, not this validator (%s); set Epistula-Signed-For to the validator's hotkey", e.SignedFor, v.cfg.Hotkey.SS58())
	}
	if d := now.Sub(time.UnixMilli(e.Timestamp)); d > SignatureWindow || d < -SignatureWindow {
		return "", fmt.Errorf("the signature's timestamp is %s from the validator's clock; at most %s is accepted: check both clocks", d.Round(time.Second), SignatureWindow)
	}
	if !e.Verify(body) {
		return "", errors.New("the Epistula signature does not verify over the body")
	}
	o := v.org
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.seen.add(e.SignedBy.SS58()+"/"+e.UUID, now, now) {
		return "", errors.New("this signed request was already received (replayed uuid)")
	}
	return e.SignedBy.SS58(), nil
}
