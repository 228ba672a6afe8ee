package axon

import (
	"bytes"
	"context"
	"crypto/sha3"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/synapse"
)

// call is one request on its way through the pipeline.
type call struct {
	a     *Axon
	w     http.ResponseWriter
	r     *http.Request
	start time.Time
	label string // metrics label: the route name, or "unknown"
	req   Request
	read  bool // the body has been read to its end
}

// ServeHTTP runs a request through the axon's checks, cheapest first, as SDK-SPEC orders
// them: route, caller registered, stake, blacklist hook, per-IP and per-hotkey rate, nonce
// window, signature, body size, body hash (Epistula: the body signature). Only then is the
// request queued by priority and its handler run.
func (a *Axon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{a: a, w: w, r: r, start: time.Now(), label: "unknown"}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		c.req.RemoteAddr = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	if a.draining.Load() {
		c.reject(synapse.StatusUnavailable, reasonDraining, "Service unavailable: the axon is shutting down; retry later", time.Second)
		return
	}

	// 1. Route.
	name, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if name == "" {
		c.reject(synapse.StatusBadRequest, reasonBadPath, "Improperly formatted request: the path must be /{SynapseName}", 0)
		return
	}
	table := a.routes.Load()
	rt, ok := table.byName[name]
	if !ok {
		names, _ := synapse.PyRepr(table.names)
		c.reject(synapse.StatusNotFound, reasonUnknown, fmt.Sprintf("Synapse name '%s' not found. Available synapses %s", clip(name, 64), names), 0)
		return
	}
	c.label = name
	c.req.Synapse = name
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		c.w.Header().Set("Allow", "POST, GET")
		c.reject(http.StatusMethodNotAllowed, reasonMethod, "Method not allowed: use POST", 0)
		return
	}

	epi, hdr, sig, ok := c.claims()
	if !ok {
		return
	}
	c.req.Timeout = min(synapse.DefaultTimeout, rt.timeout)
	if hdr.Timeout > 0 {
		c.req.Timeout = rt.timeout
		if hdr.Timeout < rt.timeout.Seconds() {
			c.req.Timeout = time.Duration(hdr.Timeout * float64(time.Second))
		}
	}
	c.req.Deadline = c.start.Add(c.req.Timeout)
	hk := c.req.Hotkey

	// 2–3. Registered, and enough stake.
	if !c.checkCaller() {
		return
	}
	c.req.ID = synapse.NewUUID()
	ctx, cancel := context.WithDeadline(context.WithValue(r.Context(), requestKey{}, &c.req), c.req.Deadline)
	defer cancel()
	if rt.blacklist != nil {
		blocked, reason, err := safeBlacklist(ctx, rt, &c.req)
		if err != nil {
			c.internal(err, "blacklist")
			return
		}
		if blocked {
			c.reject(synapse.StatusBlacklisted, reasonBlacklist, fmt.Sprintf("Forbidden. Key is blacklisted: %s.", reason), 0)
			return
		}
	}

	// 4. Rate limits. The IP's token is spent now; the hotkey's only once the signature
	// verifies, so a forger cannot use up a validator's allowance.
	now := a.now()
	if ok, wait := a.ipRate.allow(c.req.RemoteAddr.Addr(), now, true); !ok {
		c.reject(synapse.StatusTooManyRequests, reasonIPRate, fmt.Sprintf("Too many requests from %s; retry after %s", c.req.RemoteAddr.Addr(), wait.Round(time.Millisecond)), wait)
		return
	}
	if ok, wait := a.hkRate.allow(hk, now, false); !ok {
		c.reject(synapse.StatusTooManyRequests, reasonHotkeyRate, fmt.Sprintf("Too many requests from hotkey %s; retry after %s", hk, wait.Round(time.Millisecond)), wait)
		return
	}

	// 5. Nonce window.
	d := &c.req.Dendrite
	window := a.cfg.NonceWindow + c.req.Timeout
	if err := a.nonces.check(hk, d.UUID, d.Nonce, window, window, now); err != nil {
		c.reject(synapse.StatusNotVerified, nonceReason(err), "Not Verified with error: "+trimReason(err), 0)
		return
	}

	// 6. Signature (Bittensor: over the headers; Epistula's covers the body, below).
	if c.req.Scheme == synapse.Bittensor {
		msg := synapse.SignatureMessage(d.Nonce, d.Hotkey, a.ss58, d.UUID, hdr.ComputedBodyHash)
		a.verifies.Add(1)
		if !a.sigs.Verify(hk, msg, sig) {
			c.reject(synapse.StatusNotVerified, reasonSignature, fmt.Sprintf("Not Verified with error: Signature mismatch with %s and %s", clip(string(msg), 300), clip(d.Signature, 140)), 0)
			return
		}
		if !c.commit(ctx, rt) {
			return
		}
	}

	// 7. Body, within its size and time.
	body, ok := c.readBody(rt)
	if !ok {
		return
	}

	// 8. Body hash, or the Epistula signature over the body.
	if c.req.Scheme == synapse.Epistula {
		a.verifies.Add(1)
		if !a.sigs.Verify(epi.SignedBy, synapse.EpistulaMessage(body, epi.UUID, epi.Timestamp, epi.SignedFor), epi.Signature) {
			c.reject(synapse.StatusNotVerified, reasonSignature, "Not Verified with error: Signature Mismatch: Epistula-Request-Signature does not cover this body", 0)
			return
		}
		if !c.commit(ctx, rt) {
			return
		}
	}
	syn, hash, err := rt.typ.Decode(body)
	if err != nil {
		c.reject(synapse.StatusBadRequest, reasonBadBody, "Bad Request: "+clip(err.Error(), 300), 0)
		return
	}
	if c.req.Scheme == synapse.Bittensor && hash != hdr.ComputedBodyHash {
		c.reject(synapse.StatusNotVerified, reasonBodyHash, fmt.Sprintf("Not Verified with error: Body hash mismatch: the body hashes to %s but the signed computed_body_hash is %s", hash, clip(hdr.ComputedBodyHash, 80)), 0)
		return
	}
	b := syn.SynapseBase()
	b.Name = rt.typ.Name()
	b.Timeout = c.req.Timeout.Seconds()
	b.ComputedBodyHash = hash
	b.Dendrite = c.req.Dendrite
	b.Dendrite.IP = c.req.RemoteAddr.Addr().String()
	b.Dendrite.Port = int(c.req.RemoteAddr.Port())
	info := a.Info()
	b.Axon = synapse.TerminalInfo{IP: info.IP, Port: int(info.Port), Version: synapse.Version,
		Nonce: time.Now().UnixNano(), UUID: a.uuid, Hotkey: a.ss58}

	// 9. Priority queue.
	prio := float64(c.req.Caller.Stake)
	if rt.priority != nil {
		var err error
		if prio, err = safePriority(ctx, rt, &c.req); err != nil {
			c.internal(err, "priority")
			return
		}
	}
	if err := a.queue.acquire(ctx, prio); err != nil {
		switch {
		case errors.Is(err, errQueueFull), errors.Is(err, errEvicted):
			c.reject(synapse.StatusUnavailable, reasonQueueFull, "Service unavailable: the axon is busy and its queue is full ("+err.Error()+"); retry later", time.Second)
		default:
			c.reject(synapse.StatusTimeout, reasonQueueTime, "Response timeout after: "+synapse.PyFloat(c.req.Timeout.Seconds())+"s", 0)
		}
		return
	}

	// 10. Handler.
	if rt.stream != nil {
		c.runStream(ctx, rt, syn)
		return
	}
	c.run(ctx, rt, syn)
}

// claims reads who the caller says it is from the headers of either scheme: hotkey, nonce,
// uuid, signature and timeout. It answers and returns false when they are missing or do not
// parse.
func (c *call) claims() (epi synapse.EpistulaHeaders, hdr synapse.Headers, sig []byte, ok bool) {
	r := c.r
	if synapse.IsEpistula(r.Header) {
		if c.a.cfg.Schemes&synapse.Epistula == 0 {
			c.reject(synapse.StatusBadRequest, reasonScheme, "Bad Request: this axon does not accept Epistula requests; use Bittensor headers", 0)
			return epi, hdr, nil, false
		}
		c.req.Scheme = synapse.Epistula
		var err error
		if epi, err = synapse.ParseEpistula(r.Header); err != nil {
			c.reject(synapse.StatusNotVerified, reasonUnsigned, "Not Verified with error: "+err.Error(), 0)
			return epi, hdr, nil, false
		}
		if epi.SignedFor != "" && epi.SignedFor != c.a.ss58 {
			c.reject(synapse.StatusNotVerified, reasonSignature, fmt.Sprintf("Not Verified with error: the request is signed for %s, not for this axon (%s)", clip(epi.SignedFor, 64), c.a.ss58), 0)
			return epi, hdr, nil, false
		}
		c.req.Hotkey = epi.SignedBy
		c.req.Dendrite = synapse.TerminalInfo{Hotkey: epi.SignedBy.SS58(), Nonce: epi.Timestamp * int64(time.Millisecond), UUID: epi.UUID}
		if v := r.Header.Get(synapse.HeaderTimeout); v != "" {
			hdr.Timeout, _ = strconv.ParseFloat(v, 64) // a bad value means the default
		}
	} else {
		if c.a.cfg.Schemes&synapse.Bittensor == 0 {
			c.reject(synapse.StatusBadRequest, reasonScheme, "Bad Request: this axon accepts only Epistula requests", 0)
			return epi, hdr, nil, false
		}
		c.req.Scheme = synapse.Bittensor
		var err error
		if hdr, err = synapse.ParseHeaders(r.Header); err != nil {
			c.reject(synapse.StatusBadRequest, reasonBadHeader, "Bad Request: "+err.Error(), 0)
			return epi, hdr, nil, false
		}
		d := hdr.Dendrite
		if d.Hotkey == "" {
			c.reject(synapse.StatusNotVerified, reasonUnsigned, "Not Verified with error: missing bt_header_dendrite_hotkey: sign the request with a registered hotkey", 0)
			return epi, hdr, nil, false
		}
		if c.req.Hotkey, err = keys.ParseSS58(d.Hotkey); err != nil {
			c.reject(synapse.StatusNotVerified, reasonUnsigned, "Not Verified with error: bt_header_dendrite_hotkey: "+err.Error(), 0)
			return epi, hdr, nil, false
		}
		if d.Nonce == 0 {
			c.reject(synapse.StatusNotVerified, reasonUnsigned, "Not Verified with error: Missing Nonce", 0)
			return epi, hdr, nil, false
		}
		if d.Signature == "" {
			c.reject(synapse.StatusNotVerified, reasonUnsigned, "Not Verified with error: missing signature: every request must be signed by the dendrite's hotkey", 0)
			return epi, hdr, nil, false
		}
		if sig, err = keys.ParseSignature(d.Signature); err != nil {
			c.reject(synapse.StatusNotVerified, reasonSignature, "Not Verified with error: bt_header_dendrite_signature: "+err.Error(), 0)
			return epi, hdr, nil, false
		}
		c.req.Dendrite = d
	}
	return epi, hdr, sig, true
}

// checkCaller looks the caller up in the registry and checks its stake or permit.
func (c *call) checkCaller() bool {
	hk := c.req.Hotkey
	if reg := c.a.cfg.Registry; reg != nil {
		info, ok := reg.Caller(hk)
		if !ok {
			c.reject(synapse.StatusBlacklisted, reasonNotReg, fmt.Sprintf("Forbidden. Key is blacklisted: hotkey %s is not registered on this subnet.", hk), 0)
			return false
		}
		c.req.Caller = info
		switch {
		case c.a.cfg.MinStake > 0 && info.Stake < c.a.cfg.MinStake:
			c.reject(synapse.StatusBlacklisted, reasonStake, fmt.Sprintf("Forbidden. Key is blacklisted: stake %s is below the %s this axon requires.", tao(info.Stake), tao(c.a.cfg.MinStake)), 0)
			return false
		case c.a.cfg.MinStake == 0 && !c.a.cfg.AllowNoPermit && !info.ValidatorPermit:
			c.reject(synapse.StatusBlacklisted, reasonStake, fmt.Sprintf("Forbidden. Key is blacklisted: hotkey %s has no validator permit.", hk), 0)
			return false
		}
	}
	return true
}

// commit spends the hotkey's rate token and records the nonce, once the signature verified;
// then it runs the route's verify hook.
func (c *call) commit(ctx context.Context, rt *route) bool {
	now := c.a.now()
	if ok, wait := c.a.hkRate.allow(c.req.Hotkey, now, true); !ok {
		c.reject(synapse.StatusTooManyRequests, reasonHotkeyRate, fmt.Sprintf("Too many requests from hotkey %s; retry after %s", c.req.Hotkey, wait.Round(time.Millisecond)), wait)
		return false
	}
	d := &c.req.Dendrite
	if err := c.a.nonces.record(c.req.Hotkey, d.UUID, d.Nonce, now); err != nil {
		c.reject(synapse.StatusNotVerified, nonceReason(err), "Not Verified with error: "+trimReason(err), 0)
		return false
	}
	if rt.verify != nil {
		if err := safeVerify(ctx, rt, &c.req); err != nil {
			c.reject(synapse.StatusNotVerified, reasonVerify, "Not Verified with error: "+clip(err.Error(), 300), 0)
			return false
		}
	}
	return true
}

func (c *call) readBody(rt *route) ([]byte, bool) {
	if c.r.ContentLength > rt.maxBody {
		c.reject(synapse.StatusPayloadTooLarge, reasonTooLarge, fmt.Sprintf("Payload Too Large: the body has %d bytes; this axon accepts at most %d", c.r.ContentLength, rt.maxBody), 0)
		return nil, false
	}
	c.a.bodyReads.Add(1)
	rc := http.NewResponseController(c.w)
	limit := min(c.a.cfg.BodyReadTimeout, time.Until(c.req.Deadline))
	_ = rc.SetReadDeadline(time.Now().Add(limit)) // unsupported only outside http.Server
	defer rc.SetReadDeadline(time.Time{})         // else the deadline would cancel the request context later
	size := 4096
	if c.r.ContentLength > 0 {
		size = int(min(c.r.ContentLength+1, 1<<16))
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	_, err := buf.ReadFrom(http.MaxBytesReader(c.w, c.r.Body, rt.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			c.reject(synapse.StatusPayloadTooLarge, reasonTooLarge, fmt.Sprintf("Payload Too Large: this axon accepts at most %d bytes", rt.maxBody), 0)
		case errors.Is(err, os.ErrDeadlineExceeded):
			c.reject(synapse.StatusTimeout, reasonBodyTimeout, fmt.Sprintf("Request timeout: the body did not arrive within %s", limit.Round(time.Millisecond)), 0)
		default:
			c.reject(synapse.StatusBadRequest, reasonBodyRead, "Bad Request: reading the body: "+clip(err.Error(), 200), 0)
		}
		return nil, false
	}
	c.read = true
	return buf.Bytes(), true
}

// run runs a handler in its own goroutine so the caller gets 504 at the deadline even if
// the handler ignores its context; the handler keeps its slot until it returns.
func (c *call) run(ctx context.Context, rt *route, syn synapse.Synapse) {
	a := c.a
	a.running.Add(1)
	a.m.running.Inc()
	done := make(chan error, 1)
	go func() {
		defer func() {
			a.queue.release()
			a.m.running.Dec()
			a.running.Add(-1)
		}()
		done <- safeForward(ctx, rt, syn)
	}()
	select {
	case err := <-done:
		if err != nil {
			c.handlerError(ctx, err)
			return
		}
		c.respond(rt, syn)
	case <-ctx.Done():
		c.handlerError(ctx, ctx.Err())
	}
}

func (c *call) runStream(ctx context.Context, rt *route, syn synapse.Synapse) {
	a := c.a
	a.running.Add(1)
	a.m.running.Inc()
	defer func() {
		a.queue.release()
		a.m.running.Dec()
		a.running.Add(-1)
	}()
	rc := http.NewResponseController(c.w)
	_ = rc.SetWriteDeadline(c.req.Deadline.Add(time.Second)) // a slow reader cannot hold the handler
	sign := c.r.Header.Get(synapse.HeaderSignResponse) == "1"
	requestHash := syn.SynapseBase().ComputedBodyHash // the received body's, checked; the handler may not change what is signed
	st := &Stream{w: c.w, rc: rc, begin: func() {
		c.fillSuccess(syn)
		h := c.w.Header()
		rt.typ.WriteHeaders(h, syn, syn.SynapseBase().ComputedBodyHash)
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		if sign {
			// Declared now, set after the body: the signature of the whole stream.
			h.Set("Trailer", http.CanonicalHeaderKey(synapse.HeaderResponseSignature))
		}
		c.w.WriteHeader(http.StatusOK)
	}}
	if sign {
		st.sum = sha3.New256()
	}
	err := safeStream(ctx, rt, syn, st)
	if err == nil && st.err != nil {
		// The handler ignored a failed write (Send's error): the caller is gone or too slow,
		// and its stream is cut, unsigned; say so rather than "stream done".
		c.finish(499, "stream cut: "+clip(st.err.Error(), 200))
		return
	}
	if err == nil {
		st.start() // an empty stream still answers 200
		if sign {
			d := &c.req.Dendrite
			sig, serr := c.a.hotkey.Sign(synapse.StreamSignatureMessage(d.Nonce, d.Hotkey, c.a.ss58, d.UUID, requestHash, [32]byte(st.sum.Sum(nil))))
			if serr == nil {
				c.w.Header().Set(synapse.HeaderResponseSignature, "0x"+hex.EncodeToString(sig)) // the trailer
			} else {
				err = fmt.Errorf("sign the stream: %w", serr)
			}
		}
		if err == nil {
			c.finish(synapse.StatusSuccess, "stream done")
			return
		}
	}
	if !st.Started() {
		c.handlerError(ctx, err)
		return
	}
	// The status line is gone; cut the connection so the caller sees the stream fail.
	c.a.log.Warn("synapse stream failed after it began", "synapse", c.label, "request_id", c.req.ID,
		"hotkey", c.req.Hotkey, "err", err)
	c.finish(synapse.StatusInternal, "stream failed")
	panic(http.ErrAbortHandler)
}

func (c *call) fillSuccess(syn synapse.Synapse) {
	b := syn.SynapseBase()
	b.Axon.StatusCode = synapse.StatusSuccess
	b.Axon.StatusMessage = "Success"
	b.Axon.ProcessTime = time.Since(c.start).Seconds()
}

// respond writes the synapse as the 200 answer, with its headers (reference §2.5 step 6).
func (c *call) respond(rt *route, syn synapse.Synapse) {
	c.fillSuccess(syn)
	body, err := json.Marshal(syn)
	if err != nil {
		c.internal(fmt.Errorf("encode the response: %w", err), "respond")
		return
	}
	hash, err := synapse.BodyHash(syn)
	if err != nil {
		c.internal(fmt.Errorf("hash the response: %w", err), "respond")
		return
	}
	h := c.w.Header()
	rt.typ.WriteHeaders(h, syn, hash)
	if c.r.Header.Get(synapse.HeaderSignResponse) == "1" {
		d := &c.req.Dendrite
		sig, err := c.a.hotkey.Sign(synapse.ResponseSignatureMessage(d.Nonce, d.Hotkey, c.a.ss58, d.UUID, body))
		if err != nil {
			c.internal(fmt.Errorf("sign the response: %w", err), "respond")
			return
		}
		h[synapse.HeaderResponseSignature] = []string{"0x" + hex.EncodeToString(sig)}
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(body) // a write error means the caller left; nothing to tell it
	c.finish(synapse.StatusSuccess, "")
}

func (c *call) handlerError(ctx context.Context, err error) {
	var se *synapse.StatusError
	switch {
	case errors.As(err, &se):
		code := se.Code
		if code < 400 || code > 599 {
			code = synapse.StatusInternal
		}
		c.answer(code, se.Message, 0)
		c.finish(code, "handler")
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			msg := fmt.Sprintf("Gateway Timeout: the %s handler did not answer within %ss", c.label, synapse.PyFloat(c.req.Timeout.Seconds()))
			c.answer(synapse.StatusGatewayTimeout, msg, 0)
			c.finish(synapse.StatusGatewayTimeout, "handler timeout")
			return
		}
		c.finish(499, "caller gone") // the caller closed the connection; nobody to answer
	default:
		c.internal(err, "handler")
	}
}

// internal answers 500 with an id and logs the cause with it (STYLE §6).
func (c *call) internal(err error, where string) {
	if c.req.ID == "" {
		c.req.ID = synapse.NewUUID()
	}
	c.a.log.Error("synapse request failed", "synapse", c.label, "request_id", c.req.ID, "hotkey", c.req.Hotkey,
		"peer", c.req.RemoteAddr, "in", where, "err", err)
	c.answer(synapse.StatusInternal, "Internal Server Error #"+c.req.ID, 0)
	c.finish(synapse.StatusInternal, where)
}

// reject answers a request refused before its handler ran.
func (c *call) reject(code int, reason, msg string, retry time.Duration) {
	c.a.m.rejections.WithLabelValues(reason).Inc()
	c.answer(code, msg, retry)
	c.finish(code, reason)
}

// answer writes an error response as Bittensor's axon does: {"message": ...} with the
// axon's terminal info in bt_header_axon_* headers (reference §2.5 step 7).
func (c *call) answer(code int, msg string, retry time.Duration) {
	h := c.w.Header()
	set := func(k, v string) { h[k] = []string{synapse.HeaderValue(v)} }
	if c.req.Synapse != "" {
		set(synapse.HeaderName, c.req.Synapse)
	}
	set(synapse.PrefixAxon+"status_code", strconv.Itoa(code))
	set(synapse.PrefixAxon+"status_message", msg)
	set(synapse.PrefixAxon+"process_time", synapse.PyFloat(time.Since(c.start).Seconds()))
	set(synapse.PrefixAxon+"version", strconv.Itoa(synapse.Version))
	set(synapse.PrefixAxon+"uuid", c.a.uuid)
	set(synapse.PrefixAxon+"hotkey", c.a.ss58)
	if retry > 0 {
		h.Set("Retry-After", retryAfter(retry))
	}
	if !c.read && c.r.ContentLength != 0 {
		// Close rather than let net/http drain an unread body after the answer: a body
		// trickled to a refused request would hold the connection without any deadline.
		h.Set("Connection", "close")
	}
	body, _ := json.Marshal(map[string]string{"message": msg}) // strings always marshal
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.w.WriteHeader(code)
	_, _ = c.w.Write(body) // a write error means the caller left
}

// finish counts and logs the outcome.
func (c *call) finish(code int, reason string) {
	dur := time.Since(c.start)
	c.a.m.observe(c.label, code, dur.Seconds())
	if c.a.log.Enabled(context.Background(), slog.LevelDebug) {
		c.a.log.Debug("axon request", "synapse", c.label, "code", code, "reason", reason, "hotkey", c.req.Hotkey,
			"peer", c.req.RemoteAddr, "dur", dur, "request_id", c.req.ID)
	}
}

func nonceReason(err error) string {
	if errors.Is(err, errNonceReplay) {
		return reasonNonceReplay
	}
	return reasonNonceStale
}

// trimReason drops the sentinel's own text from a nonce error: the rest is the message.
func trimReason(err error) string {
	s := err.Error()
	if _, rest, ok := strings.Cut(s, ": "); ok {
		return rest
	}
	return s
}

func safeForward(ctx context.Context, rt *route, syn synapse.Synapse) (err error) {
	defer recoverInto(&err)
	return rt.forward(ctx, syn)
}

func safeStream(ctx context.Context, rt *route, syn synapse.Synapse, st *Stream) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			err = fmt.Errorf("handler panic: %v\n%s", p, debug.Stack())
		}
	}()
	return rt.stream(ctx, syn, st)
}

func safeBlacklist(ctx context.Context, rt *route, req *Request) (blocked bool, reason string, err error) {
	defer recoverInto(&err)
	blocked, reason = rt.blacklist(ctx, req)
	return blocked, reason, nil
}

func safePriority(ctx context.Context, rt *route, req *Request) (p float64, err error) {
	defer recoverInto(&err)
	return rt.priority(ctx, req), nil
}

func safeVerify(ctx context.Context, rt *route, req *Request) (err error) {
	defer recoverInto(&err)
	return rt.verify(ctx, req)
}

func recoverInto(err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
	}
}

// clip shortens s for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// tao formats RAO as TAO for messages.
func tao(rao uint64) string {
	return strconv.FormatFloat(float64(rao)/1e9, 'f', -1, 64) + " TAO"
}
