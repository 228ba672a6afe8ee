package axon

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/synapse"
)

// Handler serves one synapse type: Forward fills syn's response fields, as a Bittensor
// forward function does. syn arrives decoded from the verified body, with its Dendrite
// terminal info from the signed headers (IP and port from the connection). ctx ends at the
// request's deadline. A *synapse.StatusError answers with its code and message; any other
// error answers 500 with an id that is logged beside the error.
//
// A Handler may also implement Blacklister, Prioritizer and Verifier.
type Handler[S synapse.Synapse] interface {
	Forward(ctx context.Context, syn S) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc[S synapse.Synapse] func(ctx context.Context, syn S) error

// Forward calls f.
func (f HandlerFunc[S]) Forward(ctx context.Context, syn S) error { return f(ctx, syn) }

// StreamHandler serves a streaming synapse: it writes chunks to w as they are ready (see
// Stream). An error before the first write answers as Handler's do; after it, the
// connection is cut so the caller sees the stream fail. ForwardStream must return when ctx
// ends.
type StreamHandler[S synapse.Synapse] interface {
	ForwardStream(ctx context.Context, syn S, w *Stream) error
}

// StreamHandlerFunc adapts a function to StreamHandler.
type StreamHandlerFunc[S synapse.Synapse] func(ctx context.Context, syn S, w *Stream) error

// ForwardStream calls f.
func (f StreamHandlerFunc[S]) ForwardStream(ctx context.Context, syn S, w *Stream) error {
	return f(ctx, syn, w)
}

// Blacklister refuses callers from their headers, before the signature is checked and the
// body read (Bittensor's blacklist_fn). A true result answers 403
// "Forbidden. Key is blacklisted: {reason}.".
type Blacklister interface {
	Blacklist(ctx context.Context, req *Request) (blocked bool, reason string)
}

// Prioritizer ranks verified requests in the queue, higher first (Bittensor's
// priority_fn). Without one, the caller's stake is the priority.
type Prioritizer interface {
	Priority(ctx context.Context, req *Request) float64
}

// Verifier adds checks after the signature and nonce have verified (Bittensor's verify_fn;
// the built-in checks always run). An error answers 401 "Not Verified with error: {err}".
type Verifier interface {
	Verify(ctx context.Context, req *Request) error
}

// Request is what the axon knows about a request from its headers and connection. Hooks
// receive it; handlers find it with RequestFromContext.
type Request struct {
	Synapse    string // route name
	Scheme     synapse.Scheme
	Hotkey     keys.PublicKey
	Caller     CallerInfo // zero when the axon has no Registry
	RemoteAddr netip.AddrPort
	Dendrite   synapse.TerminalInfo // as the request's headers state it
	Timeout    time.Duration        // the request's timeout, capped by the axon
	Deadline   time.Time
	ID         string // this request's id in logs and 500 answers
}

type requestKey struct{}

// RequestFromContext returns the Request a handler's context carries.
func RequestFromContext(ctx context.Context) (*Request, bool) {
	r, ok := ctx.Value(requestKey{}).(*Request)
	return r, ok
}

// Option configures one synapse route.
type Option func(*route)

// WithBlacklist sets the route's blacklist hook, replacing a Blacklister handler's.
func WithBlacklist(fn func(ctx context.Context, req *Request) (blocked bool, reason string)) Option {
	return func(r *route) { r.blacklist = fn }
}

// WithPriority sets the route's priority hook, replacing a Prioritizer handler's.
func WithPriority(fn func(ctx context.Context, req *Request) float64) Option {
	return func(r *route) { r.priority = fn }
}

// WithVerify sets the route's extra verification hook, replacing a Verifier handler's.
func WithVerify(fn func(ctx context.Context, req *Request) error) Option {
	return func(r *route) { r.verify = fn }
}

// WithTimeout caps the route's handler time below Config.MaxTimeout.
func WithTimeout(d time.Duration) Option { return func(r *route) { r.timeout = d } }

// WithMaxBodyBytes sets the route's body limit in place of Config.MaxBodyBytes.
func WithMaxBodyBytes(n int64) Option { return func(r *route) { r.maxBody = n } }

// route is one served synapse type.
type route struct {
	typ       *synapse.Type
	forward   func(ctx context.Context, syn synapse.Synapse) error
	stream    func(ctx context.Context, syn synapse.Synapse, w *Stream) error
	blacklist func(ctx context.Context, req *Request) (bool, string)
	priority  func(ctx context.Context, req *Request) float64
	verify    func(ctx context.Context, req *Request) error
	timeout   time.Duration
	maxBody   int64
}

// Handle serves h for the synapse type S: requests to /{S's name}. Registering a name twice
// is an error. Handle may be called while the axon serves.
func Handle[S any, PS interface {
	*S
	synapse.Synapse
}](a *Axon, h Handler[PS], opts ...Option) error {
	r := &route{forward: func(ctx context.Context, syn synapse.Synapse) error { return h.Forward(ctx, syn.(PS)) }}
	return a.addRoute(PS(nil), h, r, opts)
}

// HandleStream serves the streaming handler h for the synapse type S.
func HandleStream[S any, PS interface {
	*S
	synapse.Synapse
}](a *Axon, h StreamHandler[PS], opts ...Option) error {
	r := &route{stream: func(ctx context.Context, syn synapse.Synapse, w *Stream) error {
		return h.ForwardStream(ctx, syn.(PS), w)
	}}
	return a.addRoute(PS(nil), h, r, opts)
}

func (a *Axon) addRoute(proto synapse.Synapse, h any, r *route, opts []Option) error {
	t, err := synapse.TypeOf(proto)
	if err != nil {
		return fmt.Errorf("axon: handle: %w", err)
	}
	r.typ = t
	if b, ok := h.(Blacklister); ok {
		r.blacklist = b.Blacklist
	}
	if p, ok := h.(Prioritizer); ok {
		r.priority = p.Priority
	}
	if v, ok := h.(Verifier); ok {
		r.verify = v.Verify
	}
	for _, o := range opts {
		o(r)
	}
	if r.timeout <= 0 || r.timeout > a.cfg.MaxTimeout {
		r.timeout = a.cfg.MaxTimeout
	}
	if r.maxBody <= 0 {
		r.maxBody = a.cfg.MaxBodyBytes
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	old := *a.routes.Load()
	if _, ok := old.byName[t.Name()]; ok {
		return fmt.Errorf("axon: handle: %w: %q", synapse.ErrDuplicate, t.Name())
	}
	next := routeTable{byName: make(map[string]*route, len(old.byName)+1), names: append(old.names[:len(old.names):len(old.names)], t.Name())}
	for k, v := range old.byName {
		next.byName[k] = v
	}
	next.byName[t.Name()] = r
	a.routes.Store(&next)
	if len(t.HashFields()) == 0 && t.GoType().NumField() > 1 {
		a.log.Warn("synapse has no hashed fields: the signature does not cover its body; declare RequiredHashFields",
			"synapse", t.Name())
	}
	return nil
}

type routeTable struct {
	byName map[string]*route
	names  []string // registration order, for the 404 message
}
