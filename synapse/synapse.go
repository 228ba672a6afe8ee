package synapse

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// Synapse is a request and response type: a Go struct that embeds Base and adds its own
// fields with JSON tags equal to the Python field names. *T implements Synapse through
// Base's promoted method.
//
//	type Dummy struct {
//		synapse.Base
//		DummyInput  int  `json:"dummy_input" bt:"required"`
//		DummyOutput *int `json:"dummy_output"`
//	}
//
//	func (*Dummy) RequiredHashFields() []string { return []string{"dummy_input"} }
//
// A synapse type may also implement Namer and HashFielder. The struct tag bt:"required"
// marks a field that has no default in the Python model; Python axons need a placeholder
// for it in the headers (reference §2.2).
type Synapse interface {
	SynapseBase() *Base
}

// Namer names a synapse type when its Go type name differs from the Python class name (the
// route is /{name}).
type Namer interface {
	SynapseName() string
}

// HashFielder lists, in order, the JSON names of the fields the body hash covers: Python's
// required_hash_fields (reference §2.3). The dendrite's signature covers the body hash, so
// these are the fields a man in the middle cannot change. A synapse with none has the
// constant EmptyBodyHash, and its body is not bound to the signature.
type HashFielder interface {
	RequiredHashFields() []string
}

// Base holds the fields every Bittensor synapse has (reference §2.1); embed it.
type Base struct {
	Name             string       `json:"name"`
	Timeout          float64      `json:"timeout"`     // seconds, set by the dendrite
	TotalSize        int64        `json:"total_size"`  // body bytes (Python: its object size)
	HeaderSize       int64        `json:"header_size"` // header bytes (Python: its dict size)
	Dendrite         TerminalInfo `json:"dendrite"`    // the caller, as the request states it
	Axon             TerminalInfo `json:"axon"`        // the server; Axon.StatusCode is the outcome
	ComputedBodyHash string       `json:"computed_body_hash"`
}

// SynapseBase returns b; through embedding it makes *T a Synapse.
func (b *Base) SynapseBase() *Base { return b }

// Ping is Bittensor's plain Synapse: no fields of its own. Every axon answers it, so a
// dendrite can check that an axon is up.
type Ping struct{ Base }

// SynapseName returns "Synapse", the Python class name.
func (*Ping) SynapseName() string { return "Synapse" }

// Errors about synapse types and bodies.
var (
	// ErrBadType: the value is not a pointer to a struct, its name is not a valid route, or
	// a hash field does not exist or has an unsupported type.
	ErrBadType = errors.New("synapse: invalid synapse type")
	// ErrBadBody: a request or response body is not valid JSON for the synapse type.
	ErrBadBody = errors.New("synapse: invalid body")
	// ErrDuplicate: a Registry already holds a type of that name.
	ErrDuplicate = errors.New("synapse: name already registered")
)

// Type describes a synapse type: its route name, hash fields and required fields. Types are
// built once per Go type (TypeOf caches them) and are safe for concurrent use.
type Type struct {
	name        string
	typ         reflect.Type // the struct type
	hash        []jsonField  // required_hash_fields, in declared order
	byJSON      []bool       // per hash field: rendered from its JSON text (maps, untyped values)
	anyByJSON   bool
	required    []jsonField // fields tagged bt:"required", with their header placeholders
	placeholder []string    // base64 JSON of each required field's empty value
}

var types sync.Map // reflect.Type -> typeEntry

type typeEntry struct {
	t   *Type
	err error
}

// TypeOf returns the Type of s's dynamic type, which must be a pointer to a struct. s may be
// a typed nil pointer: TypeOf((*Dummy)(nil)).
func TypeOf(s Synapse) (*Type, error) {
	rt := reflect.TypeOf(s)
	if rt == nil {
		return nil, fmt.Errorf("%w: nil", ErrBadType)
	}
	if e, ok := types.Load(rt); ok {
		e := e.(typeEntry)
		return e.t, e.err
	}
	t, err := newType(rt)
	e, _ := types.LoadOrStore(rt, typeEntry{t, err})
	return e.(typeEntry).t, e.(typeEntry).err
}

// MustTypeOf is TypeOf for package-level variables; it panics on an invalid type.
func MustTypeOf(s Synapse) *Type {
	t, err := TypeOf(s)
	if err != nil {
		panic(err)
	}
	return t
}

func newType(rt reflect.Type) (*Type, error) {
	if rt.Kind() != reflect.Pointer || rt.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w: %s is not a pointer to a struct", ErrBadType, rt)
	}
	st := rt.Elem()
	zero := reflect.New(st).Interface()
	t := &Type{name: st.Name(), typ: st}
	if n, ok := zero.(Namer); ok {
		t.name = n.SynapseName()
	}
	if !validName(t.name) {
		return nil, fmt.Errorf("%w: %s: name %q must be letters, digits and '_' (a Python class name)", ErrBadType, rt, t.name)
	}
	fields := jsonFields(st)
	byName := make(map[string]jsonField, len(fields))
	for _, f := range fields {
		byName[f.name] = f
	}
	if h, ok := zero.(HashFielder); ok {
		if err := t.setHash(h.RequiredHashFields(), byName); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadType, rt, err)
		}
	}
	for _, f := range fields {
		sf := st.FieldByIndex(f.index)
		if !hasTagOption(sf.Tag.Get("bt"), "required") {
			continue
		}
		p, err := placeholder(f.typ)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: required field %q: %v", ErrBadType, rt, f.name, err)
		}
		t.required = append(t.required, f)
		t.placeholder = append(t.placeholder, p)
	}
	return t, nil
}

// setHash sets the hashed fields, by JSON name.
func (t *Type) setHash(names []string, byName map[string]jsonField) error {
	t.hash, t.byJSON, t.anyByJSON = nil, nil, false
	for _, name := range names {
		f, ok := byName[name]
		if !ok {
			return fmt.Errorf("hash field %q is not a JSON field of the struct", name)
		}
		if err := checkPyType(f.typ, map[reflect.Type]bool{}); err != nil {
			return fmt.Errorf("hash field %q: %v", name, err)
		}
		t.hash = append(t.hash, f)
		j := orderSensitive(f.typ, map[reflect.Type]bool{})
		t.byJSON = append(t.byJSON, j)
		t.anyByJSON = t.anyByJSON || j
	}
	return nil
}

func hasTagOption(tag, opt string) bool {
	for o := range strings.SplitSeq(tag, ",") {
		if strings.TrimSpace(o) == opt {
			return true
		}
	}
	return false
}

func validName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// orderSensitive reports whether values of t need their JSON text to render as the receiver
// sees them: a map keeps its sender's key order only there, an untyped number its int or
// float form, and a float32 the digits Python reads as a float64. Other types render the same from the decoded value, which is
// cheaper.
func orderSensitive(t reflect.Type, seen map[reflect.Type]bool) bool {
	if t == jsonNumberType || t == rawMessageType {
		return true
	}
	switch t.Kind() {
	case reflect.Map, reflect.Interface:
		return true
	case reflect.Float32:
		return true // Python keeps all the digits a sender wrote; a float32 would round them
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return orderSensitive(t.Elem(), seen)
	case reflect.Struct:
		if seen[t] {
			return false
		}
		seen[t] = true
		for _, f := range jsonFields(t) {
			if orderSensitive(f.typ, seen) {
				return true
			}
		}
	}
	return false
}

// checkPyType reports whether values of t can be rendered as Python's str().
func checkPyType(t reflect.Type, seen map[reflect.Type]bool) error {
	if t == jsonNumberType || t == rawMessageType {
		return nil
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return nil
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return fmt.Errorf("%w: %s", ErrUnsupportedType, t)
		}
		return nil
	case reflect.Pointer:
		return checkPyType(t.Elem(), seen)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return fmt.Errorf("%w: %s", ErrUnsupportedType, t)
		}
		return checkPyType(t.Elem(), seen)
	case reflect.Map:
		switch t.Key().Kind() {
		case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		default:
			return fmt.Errorf("%w: map key %s", ErrUnsupportedType, t.Key())
		}
		return checkPyType(t.Elem(), seen)
	case reflect.Struct:
		if seen[t] {
			return nil
		}
		seen[t] = true
		for _, f := range jsonFields(t) {
			if err := checkPyType(f.typ, seen); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%w: %s", ErrUnsupportedType, t)
}

// Name returns the route name: the Python class name.
func (t *Type) Name() string { return t.name }

// GoType returns the struct type (not the pointer).
func (t *Type) GoType() reflect.Type { return t.typ }

// HashFields returns the JSON names of the hashed fields, in order.
func (t *Type) HashFields() []string {
	out := make([]string, len(t.hash))
	for i, f := range t.hash {
		out[i] = f.name
	}
	return out
}

// New returns a pointer to a new zero value of the type.
func (t *Type) New() Synapse { return reflect.New(t.typ).Interface().(Synapse) }

// Copy returns a shallow copy of s (slices and maps are shared), which must be of type t.
func (t *Type) Copy(s Synapse) Synapse {
	v := reflect.New(t.typ)
	v.Elem().Set(reflect.ValueOf(s).Elem())
	return v.Interface().(Synapse)
}

// Replace sets *dst to *src; both must be of type t.
func (t *Type) Replace(dst, src Synapse) {
	reflect.ValueOf(dst).Elem().Set(reflect.ValueOf(src).Elem())
}

func (t *Type) check(s Synapse) error {
	if rt := reflect.TypeOf(s); rt == nil || rt.Kind() != reflect.Pointer || rt.Elem() != t.typ {
		return fmt.Errorf("%w: %T is not *%s", ErrBadType, s, t.typ)
	}
	if reflect.ValueOf(s).IsNil() {
		return fmt.Errorf("%w: nil *%s", ErrBadType, t.typ)
	}
	return nil
}

// Decode parses a request or response body into a new synapse of type t and returns it with
// the body hash of the body as received: each hashed field is rendered from its JSON text
// (dict order as sent), falling back to the decoded value when the body omits it.
func (t *Type) Decode(body []byte) (Synapse, string, error) {
	s := t.New()
	if err := json.Unmarshal(body, s); err != nil {
		return nil, "", fmt.Errorf("%w: %s: %v", ErrBadBody, t.name, err)
	}
	if len(t.hash) == 0 {
		return s, EmptyBodyHash, nil
	}
	var members map[string]json.RawMessage
	if t.anyByJSON {
		if err := json.Unmarshal(body, &members); err != nil {
			return nil, "", fmt.Errorf("%w: %s: %v", ErrBadBody, t.name, err)
		}
	}
	h, err := t.hash1(reflect.ValueOf(s).Elem(), members)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s: %v", ErrBadBody, t.name, err)
	}
	return s, h, nil
}

// Registry maps synapse names to types, so one axon serves many synapse types. The zero
// value is empty and ready; a Registry is safe for concurrent use.
type Registry struct {
	mu    sync.RWMutex
	types map[string]*Type
	order []string
}

// Register adds s's type; a second type with the same name returns ErrDuplicate.
func (r *Registry) Register(s Synapse) (*Type, error) {
	t, err := TypeOf(s)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.types[t.name]; ok {
		if old == t {
			return t, nil
		}
		return nil, fmt.Errorf("%w: %q is %s and %s", ErrDuplicate, t.name, old.typ, t.typ)
	}
	if r.types == nil {
		r.types = map[string]*Type{}
	}
	r.types[t.name] = t
	r.order = append(r.order, t.name)
	return t, nil
}

// Lookup returns the type registered under name.
func (r *Registry) Lookup(name string) (*Type, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.types[name]
	return t, ok
}

// Names returns the registered names in registration order.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]string(nil), r.order...)
}
