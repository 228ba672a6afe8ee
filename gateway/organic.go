package gateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/synapse"
)

// OrganicSampleOf turns a routed prompting request into the sample a prompting validator
// scores (protocol.OrganicSample). It keeps every answer a miner gave, and marks as failed
// the calls that ended in the miner's error (timeout, refusal, empty answer); calls the
// gateway cancelled itself (the first answer won) and calls that never started are left
// out, since they say nothing about the miner. An answer with a proof (Config.SignedAnswers)
// carries it as protocol.OrganicAnswer.Signed. ok is false for other synapses and when no
// answer is left.
func OrganicSampleOf(s Sample) (protocol.OrganicSample, bool) {
	req, ok := s.Request.(*protocol.Chat)
	if !ok {
		return protocol.OrganicSample{}, false
	}
	out := protocol.OrganicSample{Netuid: s.Netuid, Messages: slices.Clone(req.Messages), MaxTokens: req.MaxTokens, Temperature: req.Temperature, Seed: req.Seed,
		ModelHint: req.ModelHint, Stream: req.Stream}
	for _, a := range s.Answers {
		resp, _ := a.Response.(*protocol.Chat)
		if resp == nil || errors.Is(a.Err, context.Canceled) {
			continue
		}
		oa := protocol.OrganicAnswer{UID: a.UID, Hotkey: a.Hotkey, LatencyMS: a.Latency.Milliseconds()}
		switch {
		case a.Err != nil:
			oa.Failed = true
		case resp.Completion != nil:
			oa.Completion = *resp.Completion
		default:
			continue // nothing came back and no error says why: not the miner's to answer for
		}
		if p := a.Proof; p != nil {
			// The miner's signed answer, an empty one included: the validator scores it.
			oa.Signed = &protocol.SignedAnswer{Nonce: p.Nonce, UUID: p.UUID, Dendrite: p.Dendrite, RequestHash: p.RequestHash,
				Body: p.Body, Signature: hex.EncodeToString(p.Signature)}
		}
		out.Answers = append(out.Answers, oa)
	}
	return out, len(out.Answers) > 0
}

// OrganicLocal returns an OnSample hook for a validator in the same process (localnet):
// score is the validator's Organic method, which never blocks; a sample it refuses (queue
// full, malformed) is logged at debug level and dropped.
func OrganicLocal(score func(context.Context, protocol.OrganicSample) error, log *slog.Logger) func(Sample) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(s Sample) {
		o, ok := OrganicSampleOf(s)
		if !ok {
			return
		}
		if err := score(context.Background(), o); err != nil {
			log.Debug("organic sample dropped", "netuid", s.Netuid, "err", err)
		}
	}
}

// OrganicConfig configures an OrganicForwarder. Zero values mean the defaults noted.
type OrganicConfig struct {
	// URL is the validator's organic endpoint, e.g. http://10.0.0.2:9100/organic.
	URL string
	// Token is the validator's --organic.token, sent as a bearer token. Either Token, or
	// Signer and ValidatorHotkey, are needed.
	Token string
	// Signer signs each request with Epistula (the validator lists its SS58 in
	// --organic.signers); ValidatorHotkey is the validator's SS58, which the signature names
	// so it cannot be replayed to another validator.
	Signer          *keys.Keypair
	ValidatorHotkey string
	// Netuids are the subnets whose samples are sent (the validator's). Empty means all.
	Netuids []uint16
	// Queue is how many samples may wait; when it is full new samples are dropped and
	// counted. Zero means 256.
	Queue int
	// Workers post concurrently. Zero means 2.
	Workers int
	// Timeout bounds one POST. Zero means 5 s.
	Timeout time.Duration
	// HTTP is the client used. Nil means a client of its own.
	HTTP *http.Client
	// Metrics receives gateway_organic_samples_total{outcome}. Nil means none.
	Metrics prometheus.Registerer
	// Logger receives logs. Nil means none.
	Logger *slog.Logger
}

// OrganicStats counts an OrganicForwarder's samples by outcome.
type OrganicStats struct {
	Queued  uint64 // accepted into the queue
	Sent    uint64 // accepted by the validator (202)
	Dropped uint64 // refused because the queue was full
	Failed  uint64 // the POST failed or the validator refused it
	Skipped uint64 // not a prompting sample, another subnet, or no answer to score
}

// OrganicForwarder sends routed requests to a validator's POST /organic in the
// background: set Config.OnSample to its OnSample and run Run. OnSample never blocks the
// request: a full queue drops the sample, counting and logging it.
type OrganicForwarder struct {
	cfg   OrganicConfig
	queue chan protocol.OrganicSample
	log   *slog.Logger
	ctr   *prometheus.CounterVec

	queued, sent, dropped, failed, skipped atomic.Uint64
	lastDropLog                            atomic.Int64 // unix seconds: one drop warning a second at most
	logURL                                 string       // the URL as logged: without a password
}

// RedactURL is raw with the password of its user info, if any, replaced by "xxxxx", for
// logs and errors (a URL that does not parse is not shown: it could hold one).
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an unparsable URL)"
	}
	return u.Redacted()
}

// NewOrganicForwarder checks cfg and returns a forwarder; Run starts its workers.
func NewOrganicForwarder(cfg OrganicConfig) (*OrganicForwarder, error) {
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("%w: organic %s is %v; %s", ErrConfig, field, v, want)
	}
	switch {
	case cfg.URL == "":
		return nil, bad("URL", `""`, "want the validator's POST /organic URL, e.g. http://127.0.0.1:9100/organic")
	case cfg.Token == "" && (cfg.Signer == nil || cfg.ValidatorHotkey == ""):
		return nil, bad("auth", "missing", "want the validator's bearer Token, or a Signer and the ValidatorHotkey it signs for")
	case cfg.Queue < 0 || cfg.Workers < 0 || cfg.Timeout < 0:
		return nil, bad("Queue/Workers/Timeout", fmt.Sprint(cfg.Queue, "/", cfg.Workers, "/", cfg.Timeout), "want positive values (0 for the defaults)")
	}
	if u, err := url.Parse(cfg.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Not echoed: a malformed URL with user info would show its password.
		return nil, bad("URL", "not an http(s) URL with a host", "want the validator's POST /organic URL, e.g. http://127.0.0.1:9100/organic")
	}
	if cfg.ValidatorHotkey != "" {
		if _, err := keys.ParseSS58(cfg.ValidatorHotkey); err != nil {
			return nil, bad("ValidatorHotkey", cfg.ValidatorHotkey, "want the validator's SS58 address")
		}
	}
	if cfg.Queue == 0 {
		cfg.Queue = 256
	}
	if cfg.Workers == 0 {
		cfg.Workers = 2
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{}
	}
	f := &OrganicForwarder{cfg: cfg, queue: make(chan protocol.OrganicSample, cfg.Queue), log: cfg.Logger, logURL: RedactURL(cfg.URL)}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics != nil {
		f.ctr = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gateway_organic_samples_total", Help: "Organic samples for validators by outcome (queued, sent, dropped, failed, skipped)."}, []string{"outcome"})
		if err := cfg.Metrics.Register(f.ctr); err != nil {
			return nil, fmt.Errorf("gateway: organic metrics: %w", err)
		}
	}
	return f, nil
}

func (f *OrganicForwarder) count(c *atomic.Uint64, outcome string) {
	c.Add(1)
	if f.ctr != nil {
		f.ctr.WithLabelValues(outcome).Inc()
	}
}

// Stats reports the forwarder's counters.
func (f *OrganicForwarder) Stats() OrganicStats {
	return OrganicStats{Queued: f.queued.Load(), Sent: f.sent.Load(), Dropped: f.dropped.Load(), Failed: f.failed.Load(), Skipped: f.skipped.Load()}
}

// OnSample queues s for the validator, or drops it when the queue is full. It never blocks.
func (f *OrganicForwarder) OnSample(s Sample) {
	if len(f.cfg.Netuids) > 0 && !slices.Contains(f.cfg.Netuids, s.Netuid) {
		f.count(&f.skipped, "skipped")
		return
	}
	o, ok := OrganicSampleOf(s)
	if !ok {
		f.count(&f.skipped, "skipped")
		return
	}
	select {
	case f.queue <- o:
		f.count(&f.queued, "queued")
	default:
		f.count(&f.dropped, "dropped")
		if now := time.Now().Unix(); f.lastDropLog.Swap(now) != now {
			f.log.Warn("organic queue full; dropping samples (the validator is slow or down)", "url", f.logURL, "dropped_total", f.dropped.Load())
		}
	}
}

// Run posts queued samples until ctx ends; samples still queued then are not sent.
func (f *OrganicForwarder) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range f.cfg.Workers {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case s := <-f.queue:
					f.deliver(ctx, s)
				}
			}
		})
	}
	wg.Wait()
	return nil
}

// deliver posts one sample and counts the outcome.
func (f *OrganicForwarder) deliver(ctx context.Context, s protocol.OrganicSample) {
	if err := f.post(ctx, s); err != nil {
		f.count(&f.failed, "failed")
		if ctx.Err() == nil {
			f.log.Warn("organic sample not delivered", "url", f.logURL, "err", err)
		}
		return
	}
	f.count(&f.sent, "sent")
}

// post sends one sample, signed or with the bearer token.
func (f *OrganicForwarder) post(ctx context.Context, s protocol.OrganicSample) error {
	body, err := json.Marshal(s)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("organic URL %q: %w", f.logURL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if f.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+f.cfg.Token)
	} else if err := signEpistula(req.Header, body, f.cfg.Signer, f.cfg.ValidatorHotkey); err != nil {
		return err
	}
	resp, err := f.cfg.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("validator answered %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// signEpistula sets the Epistula v2 headers for body signed by signer for signedFor.
func signEpistula(h http.Header, body []byte, signer *keys.Keypair, signedFor string) error {
	var id [16]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	uuid := hex.EncodeToString(id[:])
	ts := time.Now().UnixMilli()
	sig, err := signer.Sign(synapse.EpistulaMessage(body, uuid, ts, signedFor))
	if err != nil {
		return fmt.Errorf("signing the organic sample: %w", err)
	}
	h.Set(synapse.HeaderEpistulaVersion, synapse.EpistulaVersion)
	h.Set(synapse.HeaderEpistulaTimestamp, strconv.FormatInt(ts, 10))
	h.Set(synapse.HeaderEpistulaUUID, uuid)
	h.Set(synapse.HeaderEpistulaSignedBy, signer.SS58())
	h.Set(synapse.HeaderEpistulaSignedFor, signedFor)
	h.Set(synapse.HeaderEpistulaSignature, "0x"+hex.EncodeToString(sig))
	return nil
}
