package synapse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// ErrUnsupportedType is returned when a value cannot be rendered as Python's str() would:
// only strings, integers, floats, bools, nil (None), and slices, arrays, maps, structs and
// pointers of those are allowed in hashed fields (SDK-SPEC "Wire protocol").
var ErrUnsupportedType = errors.New("synapse: type has no Python str() rendering")

// PyStr returns Python's str() of the Go value v, the rendering Bittensor hashes for each
// of a synapse's required_hash_fields (reference §2.3):
//
//   - string: the text itself at the top level, repr() inside a list or dict ('a', or "it's"
//     when the text holds a single quote and no double quote, with Python's escapes);
//   - integers: decimal; bool: True/False; nil pointer, slice, map or interface: None;
//   - float32/float64: Python's repr, the shortest text that round-trips (1.0, 1e-05,
//     1e+16, inf, -inf, nan);
//   - slice or array: [a, b]; map: {'k': v} with keys in encoding/json's order (sorted),
//     since a Go sender's JSON carries them in that order; struct: a dict of its JSON fields
//     in declaration order, as pydantic's model_dump gives a nested model.
//
// []byte and other types return ErrUnsupportedType.
func PyStr(v any) (string, error) {
	var b strings.Builder
	if err := pyValue(&b, reflect.ValueOf(v), true); err != nil {
		return "", err
	}
	return b.String(), nil
}

// PyRepr returns Python's repr() of v: as PyStr, except that a top-level string is quoted.
func PyRepr(v any) (string, error) {
	var b strings.Builder
	if err := pyValue(&b, reflect.ValueOf(v), false); err != nil {
		return "", err
	}
	return b.String(), nil
}

// PyFloat returns Python's repr() (and str()) of f: the shortest decimal that round-trips,
// in fixed notation when the decimal exponent is in [-4, 16) with ".0" added to integral
// values, else in exponent notation with a signed exponent of at least two digits.
func PyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX, shortest round-trip digits
	i := strings.LastIndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[i+1:])
	// CPython float_repr_style "short": exponent form when decpt <= -4 or decpt > 16, where
	// decpt = exp+1 is the decimal point's position relative to the digits.
	if decpt := exp + 1; decpt <= -4 || decpt > 16 {
		return e // Go's form equals Python's: "1e-05", "1.5e+300"
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsRune(s, '.') {
		s += ".0"
	}
	return s
}

func pyFloat32(f float32) string {
	// A float32 field reaches Python as JSON text of its shortest float32 digits, which
	// Python reads as a float64: render that float64.
	g, _ := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
	if math.IsInf(float64(f), 0) || math.IsNaN(float64(f)) {
		g = float64(f)
	}
	return PyFloat(g)
}

// pyQuote appends Python's repr() of s: single quotes unless s contains a single quote and
// no double quote; backslash, the quote, \t \n \r escaped; other control characters as
// \xhh; non-ASCII characters kept when printable (unicode.IsPrint matches CPython's
// isprintable: categories L, M, N, P, S and the ASCII space), else \xhh, \uhhhh or
// \Uhhhhhhhh. Invalid UTF-8 becomes U+FFFD, as encoding/json sends it.
func pyQuote(b *strings.Builder, s string) {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	b.WriteByte(quote)
	const hexdigits = "0123456789abcdef"
	for _, r := range s { // ranging over invalid UTF-8 yields U+FFFD
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < ' ' || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteByte(hexdigits[r>>4])
			b.WriteByte(hexdigits[r&0xf])
		case r < 0x7f:
			b.WriteByte(byte(r))
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			fmt.Fprintf(b, `\U%08x`, r)
		}
	}
	b.WriteByte(quote)
}

var (
	jsonNumberType = reflect.TypeFor[json.Number]()
	rawMessageType = reflect.TypeFor[json.RawMessage]()
)

// pyValue writes Python's str() (top) or repr() (!top) of v.
func pyValue(b *strings.Builder, v reflect.Value, top bool) error {
	if !v.IsValid() {
		b.WriteString("None")
		return nil
	}
	switch v.Type() {
	case jsonNumberType:
		return pyJSONNumber(b, v.String())
	case rawMessageType:
		if v.IsNil() {
			b.WriteString("None")
			return nil
		}
		return pyJSONAny(b, newDecoder(v.Bytes()), top)
	}
	switch v.Kind() {
	case reflect.String:
		if top {
			b.WriteString(strings.ToValidUTF8(v.String(), "\uFFFD"))
		} else {
			pyQuote(b, v.String())
		}
	case reflect.Bool:
		if v.Bool() {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float64:
		b.WriteString(PyFloat(v.Float()))
	case reflect.Float32:
		b.WriteString(pyFloat32(float32(v.Float())))
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("None")
			return nil
		}
		return pyValue(b, v.Elem(), top)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return fmt.Errorf("%w: %s (Python would see bytes or a base64 string)", ErrUnsupportedType, v.Type())
		}
		if v.IsNil() {
			b.WriteString("None") // encoding/json sends a nil slice as null
			return nil
		}
		return pyList(b, v)
	case reflect.Array:
		return pyList(b, v)
	case reflect.Map:
		if v.IsNil() {
			b.WriteString("None")
			return nil
		}
		return pyMap(b, v)
	case reflect.Struct:
		return pyStruct(b, v)
	default:
		return fmt.Errorf("%w: %s", ErrUnsupportedType, v.Type())
	}
	return nil
}

func pyList(b *strings.Builder, v reflect.Value) error {
	b.WriteByte('[')
	for i := range v.Len() {
		if i > 0 {
			b.WriteString(", ")
		}
		if err := pyValue(b, v.Index(i), false); err != nil {
			return err
		}
	}
	b.WriteByte(']')
	return nil
}

func pyMap(b *strings.Builder, v reflect.Value) error {
	type kv struct {
		text string // the key as encoding/json writes it, the sort order
		key  reflect.Value
		val  reflect.Value
	}
	kvs := make([]kv, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		k := it.Key()
		var text string
		switch k.Kind() {
		case reflect.String:
			text = k.String()
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			text = strconv.FormatInt(k.Int(), 10)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			text = strconv.FormatUint(k.Uint(), 10)
		default:
			return fmt.Errorf("%w: map key %s", ErrUnsupportedType, k.Type())
		}
		kvs = append(kvs, kv{text, k, it.Value()})
	}
	slices.SortFunc(kvs, func(a, b kv) int { return strings.Compare(a.text, b.text) })
	b.WriteByte('{')
	for i, e := range kvs {
		if i > 0 {
			b.WriteString(", ")
		}
		if err := pyValue(b, e.key, false); err != nil {
			return err
		}
		b.WriteString(": ")
		if err := pyValue(b, e.val, false); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

func pyStruct(b *strings.Builder, v reflect.Value) error {
	b.WriteByte('{')
	for i, f := range jsonFields(v.Type()) {
		if i > 0 {
			b.WriteString(", ")
		}
		pyQuote(b, f.name)
		b.WriteString(": ")
		fv, err := v.FieldByIndexErr(f.index)
		if err != nil { // through a nil embedded pointer: the field is absent, Python's None
			fv = reflect.Value{}
		}
		if err := pyValue(b, fv, false); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

// pyJSONNumber writes a JSON number as Python's json module reads it: text with a
// fraction or exponent is a float, otherwise an int of any size.
func pyJSONNumber(b *strings.Builder, text string) error {
	if text == "" {
		return fmt.Errorf("%w: empty JSON number", ErrUnsupportedType)
	}
	if strings.ContainsAny(text, ".eE") {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) { // out of range is ±inf, as Python
			return fmt.Errorf("synapse: JSON number %q: %w", text, err)
		}
		b.WriteString(PyFloat(f))
		return nil
	}
	if text == "-0" {
		text = "0"
	}
	b.WriteString(text)
	return nil
}

// jsonField is one field of a struct as encoding/json sees it.
type jsonField struct {
	name  string
	index []int
	typ   reflect.Type
}

// jsonFields lists t's fields as encoding/json names them, in declaration order, with
// untagged embedded structs flattened. It follows encoding/json's common cases (tag name,
// "-", embedded structs); shadowing between embedded fields keeps the shallowest.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	seen := map[string]int{} // name -> depth
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			idx := append(slices.Clone(index), i)
			ft := sf.Type
			if sf.Anonymous && name == "" {
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft, idx)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if d, ok := seen[name]; ok && d <= len(idx) {
				continue
			}
			seen[name] = len(idx)
			out = slices.DeleteFunc(out, func(f jsonField) bool { return f.name == name })
			out = append(out, jsonField{name: name, index: idx, typ: sf.Type})
		}
	}
	walk(t, nil)
	return out
}

// pyJSON writes Python's str() (top) or repr() of a JSON value that a pydantic model decodes
// into a field of Go type t. Maps and untyped values keep the JSON's member order, the order
// of the dict Python builds from it (so a Python sender's dict order is honoured); typed
// scalars are converted as pydantic converts them (a float field given 1 renders 1.0).
func pyJSON(b *strings.Builder, raw []byte, t reflect.Type, top bool) error {
	raw = bytes.TrimSpace(raw)
	if bytes.Equal(raw, []byte("null")) {
		b.WriteString("None")
		return nil
	}
	switch t {
	case jsonNumberType:
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return err
		}
		return pyJSONNumber(b, n.String())
	case rawMessageType:
		return pyJSONAny(b, newDecoder(raw), top)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return pyJSON(b, raw, t.Elem(), top)
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return fmt.Errorf("%w: %s", ErrUnsupportedType, t)
		}
		return pyJSONAny(b, newDecoder(raw), top)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return fmt.Errorf("%w: %s", ErrUnsupportedType, t)
		}
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return err
		}
		b.WriteByte('[')
		for i, e := range elems {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := pyJSON(b, e, t.Elem(), false); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case reflect.Map:
		return pyJSONMap(b, raw, t)
	case reflect.Float32, reflect.Float64:
		// Python reads every float as a float64, whatever the Go field's size.
		var f float64
		if err := json.Unmarshal(raw, &f); err != nil {
			return err
		}
		b.WriteString(PyFloat(f))
		return nil
	}
	// Scalars and structs: decode as the receiver does, then render the value.
	v := reflect.New(t)
	if err := json.Unmarshal(raw, v.Interface()); err != nil {
		return err
	}
	return pyValue(b, v.Elem(), top)
}

func newDecoder(raw []byte) *json.Decoder {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	return d
}

// pyJSONMap renders a JSON object as a dict in member order, keys and values typed by t.
func pyJSONMap(b *strings.Builder, raw []byte, t reflect.Type) error {
	d := newDecoder(raw)
	if tok, err := d.Token(); err != nil {
		return err
	} else if tok != json.Delim('{') {
		return fmt.Errorf("synapse: want a JSON object for %s", t)
	}
	kt := t.Key()
	b.WriteByte('{')
	for first := true; d.More(); first = false {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := d.Decode(&val); err != nil {
			return err
		}
		if !first {
			b.WriteString(", ")
		}
		switch kt.Kind() {
		case reflect.String:
			pyQuote(b, key)
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			n, err := strconv.ParseInt(key, 10, kt.Bits())
			if err != nil {
				return fmt.Errorf("synapse: map key %q is not an %s", key, kt)
			}
			b.WriteString(strconv.FormatInt(n, 10))
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			n, err := strconv.ParseUint(key, 10, kt.Bits())
			if err != nil {
				return fmt.Errorf("synapse: map key %q is not a %s", key, kt)
			}
			b.WriteString(strconv.FormatUint(n, 10))
		default:
			return fmt.Errorf("%w: map key %s", ErrUnsupportedType, kt)
		}
		b.WriteString(": ")
		if err := pyJSON(b, val, t.Elem(), false); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	if _, err := d.Token(); err != nil {
		return err
	}
	return nil
}

// pyJSONAny renders the next JSON value of d as Python's json module builds it: objects are
// dicts in member order, numbers ints or floats by their text.
func pyJSONAny(b *strings.Builder, d *json.Decoder, top bool) error {
	tok, err := d.Token()
	if err != nil {
		return err
	}
	switch tok := tok.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if tok {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case json.Number:
		return pyJSONNumber(b, tok.String())
	case string:
		if top {
			b.WriteString(tok)
		} else {
			pyQuote(b, tok)
		}
	case json.Delim:
		switch tok {
		case '[':
			b.WriteByte('[')
			for first := true; d.More(); first = false {
				if !first {
					b.WriteString(", ")
				}
				if err := pyJSONAny(b, d, false); err != nil {
					return err
				}
			}
			b.WriteByte(']')
		case '{':
			b.WriteByte('{')
			for first := true; d.More(); first = false {
				k, err := d.Token()
				if err != nil {
					return err
				}
				if !first {
					b.WriteString(", ")
				}
				pyQuote(b, k.(string))
				b.WriteString(": ")
				if err := pyJSONAny(b, d, false); err != nil {
					return err
				}
			}
			b.WriteByte('}')
		default:
			return fmt.Errorf("synapse: unexpected JSON %v", tok)
		}
		if _, err := d.Token(); err != nil { // the closing delimiter
			return err
		}
	}
	return nil
}
