package synapse

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// Header names of the Bittensor scheme (reference §2.2). They are lower case with
// underscores, as Python sends them; Python's axon matches them case-sensitively, so they
// are written with exactly this case (some reverse proxies drop underscored headers: nginx
// needs underscores_in_headers on).
const (
	HeaderName       = "name"
	HeaderTimeout    = "timeout"
	HeaderHeaderSize = "header_size"
	HeaderTotalSize  = "total_size"
	HeaderBodyHash   = "computed_body_hash"
	PrefixAxon       = "bt_header_axon_"
	PrefixDendrite   = "bt_header_dendrite_"
	PrefixInput      = "bt_header_input_obj_"
)

// ErrBadHeader: a header of the Bittensor or Epistula scheme has a value that does not parse,
// or is repeated.
var ErrBadHeader = errors.New("synapse: invalid header")

// Headers is what the Bittensor headers of a request or response say (reference §2.2).
type Headers struct {
	Name             string
	Timeout          float64 // seconds; zero when absent
	HeaderSize       int64
	TotalSize        int64
	ComputedBodyHash string
	Axon             TerminalInfo
	Dendrite         TerminalInfo
	// Inputs holds the decoded bt_header_input_obj_* placeholders by field name. Python's
	// axon builds its header-only synapse from them; a Go axon reads the body instead.
	Inputs map[string]json.RawMessage
}

// ParseHeaders reads the Bittensor headers of h, matching names in any case. Other headers
// are ignored, as are unknown terminal-info fields; placeholders that do not decode are
// skipped, as Python skips them. A repeated or unparsable value returns ErrBadHeader.
func ParseHeaders(h http.Header) (Headers, error) {
	var out Headers
	for k, vals := range h {
		lk := strings.ToLower(k)
		known := lk == HeaderName || lk == HeaderTimeout || lk == HeaderHeaderSize ||
			lk == HeaderTotalSize || lk == HeaderBodyHash || strings.HasPrefix(lk, "bt_header_")
		if !known || len(vals) == 0 {
			continue
		}
		if len(vals) > 1 {
			return Headers{}, fmt.Errorf("%w: %s is repeated", ErrBadHeader, lk)
		}
		v := vals[0]
		var err error
		switch {
		case lk == HeaderName:
			out.Name = v
		case lk == HeaderTimeout:
			out.Timeout, err = strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil && (out.Timeout < 0 || math.IsNaN(out.Timeout) || math.IsInf(out.Timeout, 0)) {
				err = errors.New("not a finite number of seconds ≥ 0")
			}
		case lk == HeaderHeaderSize:
			out.HeaderSize, err = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		case lk == HeaderTotalSize:
			out.TotalSize, err = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		case lk == HeaderBodyHash:
			out.ComputedBodyHash = v
		case strings.HasPrefix(lk, PrefixAxon):
			err = setTerminal(&out.Axon, lk[len(PrefixAxon):], v)
		case strings.HasPrefix(lk, PrefixDendrite):
			err = setTerminal(&out.Dendrite, lk[len(PrefixDendrite):], v)
		case strings.HasPrefix(lk, PrefixInput):
			raw, derr := base64.StdEncoding.DecodeString(v)
			if derr != nil || !json.Valid(raw) {
				continue
			}
			if out.Inputs == nil {
				out.Inputs = map[string]json.RawMessage{}
			}
			out.Inputs[lk[len(PrefixInput):]] = raw
		}
		if err != nil {
			return Headers{}, fmt.Errorf("%w: %s: %v", ErrBadHeader, lk, err)
		}
	}
	return out, nil
}

func setTerminal(t *TerminalInfo, field, v string) error {
	for i, name := range terminalFields {
		if name == field {
			return t.set(i, v)
		}
	}
	return nil // unknown fields are ignored, as pydantic ignores them
}

// setHeader sets key to v with key's exact case. Control characters, which a header value
// cannot carry, become spaces.
func setHeader(h http.Header, key, v string) { h[key] = []string{HeaderValue(v)} }

// HeaderValue returns v with control characters (other than tab) replaced by spaces, so it
// can be sent as a header value.
func HeaderValue(v string) string {
	bad := func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }
	if strings.IndexFunc(v, bad) < 0 {
		return v
	}
	return strings.Map(func(r rune) rune {
		if bad(r) {
			return ' '
		}
		return r
	}, v)
}

// WriteHeaders writes s's Bittensor headers into h, as Python's to_headers does: name,
// timeout, the non-empty terminal-info fields of Axon and Dendrite, a placeholder for each
// required field whose value is not null, header_size, total_size and computed_body_hash
// (bodyHash, as computed by BodyHash). s must be of type t.
func (t *Type) WriteHeaders(h http.Header, s Synapse, bodyHash string) {
	// Every header's one-value slice comes from one array, not an allocation each: a request
	// and its answer write some thirty headers.
	w := headerWriter{h: h, vals: make([]string, 0, 2*len(terminalFields)+len(t.required)+5)}
	b := s.SynapseBase()
	name := b.Name
	if name == "" {
		name = t.name
	}
	w.set(HeaderName, name)
	w.set(HeaderTimeout, PyFloat(b.Timeout))
	w.terminal(PrefixAxon, &b.Axon)
	w.terminal(PrefixDendrite, &b.Dendrite)
	if len(t.required) > 0 {
		v := reflect.ValueOf(s).Elem()
		for i, f := range t.required {
			fv, err := v.FieldByIndexErr(f.index)
			if err != nil || isNull(fv) {
				continue // Python skips fields whose value is None
			}
			w.set(PrefixInput+f.name, t.placeholder[i])
		}
	}
	w.set(HeaderHeaderSize, strconv.FormatInt(b.HeaderSize, 10))
	w.set(HeaderTotalSize, strconv.FormatInt(b.TotalSize, 10))
	w.set(HeaderBodyHash, bodyHash)
}

// headerWriter sets single-valued headers whose value slices share one backing array.
type headerWriter struct {
	h    http.Header
	vals []string
}

func (w *headerWriter) set(key, v string) {
	w.vals = append(w.vals, HeaderValue(v))
	n := len(w.vals)
	w.h[key] = w.vals[n-1 : n : n] // capped, so an append to one header cannot touch the next
}

func writeTerminal(h http.Header, prefix string, t *TerminalInfo) {
	w := headerWriter{h: h, vals: make([]string, 0, len(terminalFields))}
	w.terminal(prefix, t)
}

func (w *headerWriter) terminal(prefix string, t *TerminalInfo) {
	names, ok := terminalHeaders[prefix]
	if !ok {
		names = terminalHeaderNames(prefix)
	}
	for i, name := range names {
		if v, ok := t.field(i); ok {
			w.set(name, v)
		}
	}
}

// terminalHeaders holds the terminal-info header names of both ends, joined once: every
// request and answer writes up to twenty of them.
var terminalHeaders = map[string][len(terminalFields)]string{
	PrefixAxon:     terminalHeaderNames(PrefixAxon),
	PrefixDendrite: terminalHeaderNames(PrefixDendrite),
}

func terminalHeaderNames(prefix string) (names [len(terminalFields)]string) {
	for i, f := range terminalFields {
		names[i] = prefix + f
	}
	return names
}

// EncodeHeaders returns s's Bittensor headers (see Type.WriteHeaders), computing the body
// hash.
func EncodeHeaders(s Synapse) (http.Header, error) {
	t, err := TypeOf(s)
	if err != nil {
		return nil, err
	}
	hash, err := BodyHash(s)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	t.WriteHeaders(h, s, hash)
	return h, nil
}

func isNull(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		return v.IsNil()
	}
	return false
}

// placeholder returns base64(JSON of an empty value of type t), as Python sends
// base64(json.dumps(type(value)())) for a required field (reference §2.2): "" for strings,
// 0 or 0.0 for numbers, false, [] and {}.
func placeholder(t reflect.Type) (string, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var js string
	switch t.Kind() {
	case reflect.String:
		js = `""`
	case reflect.Bool:
		js = "false"
	case reflect.Float32, reflect.Float64:
		js = "0.0"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		js = "0"
	case reflect.Slice, reflect.Array:
		js = "[]"
	case reflect.Map, reflect.Struct:
		js = "{}"
	default:
		return "", fmt.Errorf("%w: %s has no empty JSON value", ErrUnsupportedType, t)
	}
	return base64.StdEncoding.EncodeToString([]byte(js)), nil
}
