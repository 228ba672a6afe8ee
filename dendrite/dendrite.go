package dendrite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/synapse"
)

// Errors returned by Call, Query and Stream besides a *synapse.StatusError.
var (
	// ErrClosed: the Dendrite was closed.
	ErrClosed = errors.New("dendrite: closed")
	// ErrNoHotkey: New was given no key pair.
	ErrNoHotkey = errors.New("dendrite: no hotkey")
)

// Dendrite is a validator's client: it signs synapses with its hotkey, sends them to axons
// over pooled HTTP connections and fills in the answers. It is safe for concurrent use;
// Close releases its connections.
type Dendrite struct {
	cfg       Config
	kp        *keys.Keypair
	uuid      string
	log       *slog.Logger
	transport *http.Transport
	guard     *guard
	client    *http.Client
	slots     chan struct{}
	lastNonce atomic.Int64
	verifiers *keys.VerifierCache // axons' decoded public keys, for VerifyResponses

	mu     sync.RWMutex // guards closed against wg.Add
	closed bool
	wg     sync.WaitGroup
	stop   context.Context // ends when Close is called
	cancel context.CancelFunc
}

// New returns a dendrite that signs with hotkey.
func New(hotkey *keys.Keypair, cfg Config) (*Dendrite, error) {
	if hotkey == nil {
		return nil, ErrNoHotkey
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dialer := net.Dialer{KeepAlive: 30 * time.Second}
	if cfg.LocalAddr.IsValid() {
		dialer.LocalAddr = &net.TCPAddr{IP: cfg.LocalAddr.AsSlice()}
	}
	dial := dialer.DialContext
	var g *guard
	if cfg.RefusePrivate {
		g = newGuard(cfg, dialer)
		dial = g.dial
	}
	tr := &http.Transport{
		DialContext:            dial,
		MaxIdleConns:           cfg.MaxIdleConns,
		MaxIdleConnsPerHost:    cfg.MaxIdleConnsPerHost,
		MaxConnsPerHost:        cfg.MaxConnsPerHost,
		IdleConnTimeout:        cfg.IdleConnTimeout,
		DisableCompression:     true, // bounds what MaxResponseBytes measures
		MaxResponseHeaderBytes: 1 << 20,
	}
	stop, cancel := context.WithCancel(context.Background())
	return &Dendrite{
		cfg:       cfg,
		kp:        hotkey,
		uuid:      synapse.NewUUID(),
		log:       log,
		transport: tr,
		guard:     g,
		// No proxy (Proxy is nil: the guard checks the axon's address, not a proxy's) and
		// no redirect: an axon answers; it does not send the dendrite elsewhere.
		client: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		slots:     make(chan struct{}, cfg.MaxInFlight),
		verifiers: keys.NewVerifierCache(4096), // a subnet's axons, with room to spare
		stop:      stop,
		cancel:    cancel,
	}, nil
}

// Hotkey returns the signing hotkey.
func (d *Dendrite) Hotkey() keys.PublicKey { return d.kp.Public() }

// UUID returns the dendrite's instance id, sent with every Bittensor request.
func (d *Dendrite) UUID() string { return d.uuid }

// Close cancels calls in progress, waits for them to return and closes every connection.
// Later calls fail with ErrClosed.
func (d *Dendrite) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
	d.transport.CloseIdleConnections()
	return nil
}

// begin registers a call; it returns false once the dendrite is closed.
func (d *Dendrite) begin() bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return false
	}
	d.wg.Add(1)
	return true
}

func (d *Dendrite) nextNonce() int64 {
	for {
		now, last := time.Now().UnixNano(), d.lastNonce.Load()
		n := max(now, last+1) // unique and increasing, as Python axons demand per hotkey:uuid
		if d.lastNonce.CompareAndSwap(last, n) {
			return n
		}
	}
}

// Call sends syn to axon and fills syn with the answer, as Bittensor's dendrite.call does
// (reference §2.4): on success the axon's fields replace syn's; in every case
// syn's Dendrite terminal info gets the status code, message and process time, with
// transport failures mapped as reference §2.4 item 7 (timeout 408, unreachable 503, ...).
// Call returns nil on status 200 and a *synapse.StatusError otherwise; it never panics on
// what an axon sends.
//
// The call's timeout is syn's Timeout (seconds) when set, else Config.Timeout, or ctx's
// deadline if sooner; it covers connecting, sending and reading the whole answer.
func (d *Dendrite) Call(ctx context.Context, axon synapse.AxonInfo, syn synapse.Synapse) error {
	return d.callProof(ctx, axon, syn, nil)
}

// callProof is Call; when proof is not nil and the answer is verified, *proof is set.
func (d *Dendrite) callProof(ctx context.Context, axon synapse.AxonInfo, syn synapse.Synapse, proof **ResponseProof) error {
	t, err := synapse.TypeOf(syn)
	if err != nil {
		return fmt.Errorf("dendrite: call: %w", err)
	}
	if !d.begin() {
		return ErrClosed
	}
	defer d.wg.Done()
	timeout := d.timeoutOf(syn)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = max(time.Until(dl).Round(time.Millisecond), time.Millisecond)
	}
	return d.call(ctx, t, axon, syn, timeout, proof)
}

func (d *Dendrite) timeoutOf(syn synapse.Synapse) time.Duration {
	if s := syn.SynapseBase().Timeout; s > 0 && s < 1e6 {
		return time.Duration(s * float64(time.Second))
	}
	return d.cfg.Timeout
}

// call runs one exchange within timeout, or ctx's deadline if sooner; timeout is what the
// request's header and a timeout's message say.
func (d *Dendrite) call(ctx context.Context, t *synapse.Type, axon synapse.AxonInfo, syn synapse.Synapse, timeout time.Duration, proof **ResponseProof) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	defer context.AfterFunc(d.stop, cancel)()
	x := &exchange{d: d, t: t, axon: axon, syn: syn, start: start, timeout: timeout, deadline: start.Add(timeout), proof: proof}
	if err := d.acquire(ctx); err != nil {
		return x.fail(ctx, err, false)
	}
	defer d.release()
	resp, err := x.send(ctx)
	if err != nil {
		return x.fail(ctx, err, false)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, d.cfg.MaxResponseBytes+1))
	if err != nil {
		return x.fail(ctx, err, true)
	}
	if int64(len(body)) > d.cfg.MaxResponseBytes {
		return x.finish(synapse.StatusBadRequest, fmt.Sprintf("Payload error: the response exceeds %d bytes", d.cfg.MaxResponseBytes))
	}
	return x.process(resp, body)
}

// acquire waits for one of Config.MaxInFlight call slots.
func (d *Dendrite) acquire(ctx context.Context) error {
	select {
	case d.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *Dendrite) release() { <-d.slots }

// Query sends a copy of syn to every axon at once and returns the copies, answered, in the
// order of axons (Bittensor's forward/query). One deadline covers the whole fan-out: timeout
// (zero means Config.Timeout), or ctx's deadline if sooner. Failures are in each copy's
// Dendrite terminal info; the error is only for an invalid synapse type or a closed
// dendrite.
func (d *Dendrite) Query(ctx context.Context, axons []synapse.AxonInfo, syn synapse.Synapse, timeout time.Duration) ([]synapse.Synapse, error) {
	t, err := synapse.TypeOf(syn)
	if err != nil {
		return nil, fmt.Errorf("dendrite: query: %w", err)
	}
	if !d.begin() {
		return nil, ErrClosed
	}
	defer d.wg.Done()
	if timeout <= 0 {
		timeout = d.cfg.Timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out := make([]synapse.Synapse, len(axons))
	var wg sync.WaitGroup
	for i, ax := range axons {
		cp := t.Copy(syn)
		out[i] = cp
		wg.Go(func() { _ = d.call(ctx, t, ax, cp, timeout, nil) }) // the outcome is in cp
	}
	wg.Wait()
	return out, nil
}

// QueryAs is Query with typed results.
func QueryAs[S synapse.Synapse](ctx context.Context, d *Dendrite, axons []synapse.AxonInfo, syn S, timeout time.Duration) ([]S, error) {
	rs, err := d.Query(ctx, axons, syn, timeout)
	if err != nil {
		return nil, err
	}
	out := make([]S, len(rs))
	for i, r := range rs {
		out[i] = r.(S)
	}
	return out, nil
}

// exchange is one request and its answer.
type exchange struct {
	d        *Dendrite
	t        *synapse.Type
	axon     synapse.AxonInfo
	syn      synapse.Synapse
	start    time.Time
	timeout  time.Duration
	deadline time.Time
	sent     synapse.TerminalInfo // our Dendrite terminal info, as signed
	// signedStream: a stream whose signature will be checked; send then keeps the request's
	// computed_body_hash in requestHash, which the signature covers
	// (synapse.StreamSignatureMessage).
	signedStream bool
	requestHash  string
	proof        **ResponseProof // where a verified answer's proof goes; nil: not wanted
}

// send signs and posts the request and returns the response, whose body the caller closes.
func (x *exchange) send(ctx context.Context) (*http.Response, error) {
	d := x.d
	if !x.axon.IsServing() {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("the axon is not serving (no IP or port)")}
	}
	// The dial hook judges new connections only; a kept-alive one (the ExternalIP
	// shortcut's, to this host's loopback) could otherwise carry a call to an axon
	// published at that same loopback address. So judge the published address here too.
	if ip, err := netip.ParseAddr(x.axon.IP); err == nil {
		if err := d.CheckDestination(netip.AddrPortFrom(ip, x.axon.Port)); err != nil {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: err}
		}
	}
	opt := synapse.RequestOptions{Scheme: d.cfg.Scheme, Timeout: x.timeout, Nonce: d.nextNonce(), ExternalIP: d.cfg.ExternalIP}
	if opt.Scheme == synapse.Bittensor {
		opt.UUID = d.uuid
	}
	body, h, err := synapse.PrepareRequest(x.syn, d.kp, x.axon, opt)
	if err != nil {
		return nil, &prepareError{err}
	}
	x.sent = x.syn.SynapseBase().Dendrite
	if x.signedStream {
		if v := h[synapse.HeaderBodyHash]; len(v) > 0 {
			x.requestHash = v[0]
		} else if x.requestHash, err = synapse.BodyHash(x.syn); err != nil { // Epistula sends no hash header
			return nil, &prepareError{err}
		}
	}
	host := x.axon.Addr()
	if d.cfg.ExternalIP != "" && x.axon.IP == d.cfg.ExternalIP {
		host = net.JoinHostPort("127.0.0.1", fmt.Sprint(x.axon.Port))
		ctx = context.WithValue(ctx, explicitKey{}, true) // the operator's choice: not refused
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+host+"/"+x.t.Name(), bytes.NewReader(body))
	if err != nil {
		return nil, &prepareError{err}
	}
	// PrepareRequest's map is this request's alone: use it rather than copy some thirty
	// headers into an empty one. Its keys keep their exact case, which Python axons match
	// case-sensitively for bt_header_*.
	req.Header = h
	if d.cfg.VerifyResponses {
		req.Header[synapse.HeaderSignResponse] = []string{"1"}
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

type prepareError struct{ err error }

func (e *prepareError) Error() string { return e.err.Error() }
func (e *prepareError) Unwrap() error { return e.err }

// process fills syn from a complete response (reference §2.4 step 6).
func (x *exchange) process(resp *http.Response, body []byte) error {
	hdr, herr := synapse.ParseHeaders(resp.Header)
	if resp.StatusCode == http.StatusOK && x.d.cfg.VerifyResponses {
		sig, err := keys.ParseSignature(resp.Header.Get(synapse.HeaderResponseSignature))
		msg := synapse.ResponseSignatureMessage(x.sent.Nonce, x.sent.Hotkey, x.axon.Hotkey.SS58(), x.sent.UUID, body)
		if err != nil || !x.d.verifiers.Verify(x.axon.Hotkey, msg, sig) {
			return x.finish(synapse.StatusNotVerified, fmt.Sprintf("Failed verification: the answer is not signed by the axon's hotkey %s", x.axon.Hotkey))
		}
		if x.proof != nil {
			// body is this call's own (io.ReadAll's), never reused: the proof may keep it.
			*x.proof = &ResponseProof{Nonce: x.sent.Nonce, UUID: x.sent.UUID, Dendrite: x.sent.Hotkey, Axon: x.axon.Hotkey.SS58(), Body: body, Signature: sig}
		}
	}
	if resp.StatusCode == http.StatusOK {
		fresh := x.t.New()
		if err := json.Unmarshal(body, fresh); err != nil {
			return x.finish(synapse.StatusUnparsableResponse, "Failed to parse response: "+clip(err.Error(), 200))
		}
		x.t.Replace(x.syn, fresh)
		b := x.syn.SynapseBase()
		b.Dendrite = x.sent
		if b.Axon.StatusCode == 0 {
			b.Axon.StatusCode, b.Axon.StatusMessage = synapse.StatusSuccess, "Success"
		}
	} else {
		b := x.syn.SynapseBase()
		b.Axon.StatusCode = resp.StatusCode
		var m struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &m) == nil && m.Message != "" {
			b.Axon.StatusMessage = m.Message
		} else {
			b.Axon.StatusMessage = clip(string(bytes.ToValidUTF8(body, nil)), 200)
		}
	}
	b := x.syn.SynapseBase()
	if herr == nil {
		b.Axon.Merge(hdr.Axon)
	}
	if resp.StatusCode != http.StatusOK {
		b.Axon.StatusCode = resp.StatusCode // the HTTP status is the outcome
	}
	return x.finish(b.Axon.StatusCode, b.Axon.StatusMessage)
}

// finish sets the Dendrite terminal info's outcome and returns the call's error.
func (x *exchange) finish(code int, msg string) error {
	b := x.syn.SynapseBase()
	if x.sent.Hotkey != "" {
		b.Dendrite = x.sent
	}
	b.Dendrite.StatusCode = code
	b.Dendrite.StatusMessage = msg
	b.Dendrite.ProcessTime = time.Since(x.start).Seconds()
	if code != synapse.StatusSuccess {
		if b.Axon.StatusCode == 0 {
			b.Axon.StatusCode, b.Axon.StatusMessage = code, msg
		}
		x.d.log.Debug("dendrite call failed", "synapse", x.t.Name(), "peer", x.axon.Addr(), "hotkey", x.axon.Hotkey,
			"code", code, "err", msg)
		return &synapse.StatusError{Code: code, Message: msg}
	}
	return nil
}

// fail maps a transport error to a status (reference §2.4 item 7).
func (x *exchange) fail(ctx context.Context, err error, reading bool) error {
	if reading && time.Until(x.deadline) < deadlineSlack {
		// The axon ends a call at the same deadline; whoever's timer fired first, the
		// answer did not come in time.
		err = context.DeadlineExceeded
	}
	code, msg := classify(ctx, err, reading, x.timeout, x.axon, x.t.Name())
	var pe *PrivateDestinationError
	if errors.As(err, &pe) && x.d.guard != nil && x.d.guard.firstRefusal(x.axon.Addr()+" "+x.axon.Hotkey.SS58()) {
		x.d.log.Warn("dendrite refused an axon's private address (logged once per axon)", "peer", x.axon.Addr(),
			"hotkey", x.axon.Hotkey, "refused", pe.Addr.String(), "kind", pe.Kind, "allow_with", pe.Setting)
	}
	return x.finish(code, msg)
}

// deadlineSlack is how close to its deadline a broken answer counts as a timeout.
const deadlineSlack = 20 * time.Millisecond

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
