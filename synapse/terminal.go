package synapse

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// TerminalInfo describes one end of a call: Bittensor's TerminalInfo (reference §2.1). Every
// field is optional in Python; here the zero value means None, so it is left out of headers
// and sent as null in JSON.
type TerminalInfo struct {
	StatusCode    int     `json:"status_code"`    // HTTP-like outcome: 200 success, 408 timeout, ...
	StatusMessage string  `json:"status_message"` // text for people
	ProcessTime   float64 `json:"process_time"`   // seconds
	IP            string  `json:"ip"`
	Port          int     `json:"port"`
	Version       int     `json:"version"` // SDK version as major·10⁶ + minor·10³ + patch
	Nonce         int64   `json:"nonce"`   // Unix nanoseconds of the request or response
	UUID          string  `json:"uuid"`    // the dendrite's or axon's instance id
	Hotkey        string  `json:"hotkey"`  // SS58 address
	Signature     string  `json:"signature"`
}

// Status codes the protocol uses (reference §2.4–2.5).
const (
	StatusSuccess            = 200
	StatusBadRequest         = 400
	StatusNotVerified        = 401 // signature, nonce or body hash rejected
	StatusBlacklisted        = 403
	StatusNotFound           = 404
	StatusTimeout            = 408
	StatusPayloadTooLarge    = 413
	StatusUnparsableResponse = 422
	StatusTooManyRequests    = 429
	StatusInternal           = 500
	StatusUnavailable        = 503
	StatusGatewayTimeout     = 504
)

// IsSuccess reports status code 200.
func (t TerminalInfo) IsSuccess() bool { return t.StatusCode == StatusSuccess }

// IsTimeout reports status code 408.
func (t TerminalInfo) IsTimeout() bool { return t.StatusCode == StatusTimeout }

// IsBlacklist reports status code 403.
func (t TerminalInfo) IsBlacklist() bool { return t.StatusCode == StatusBlacklisted }

// IsFailedVerification reports status code 401.
func (t TerminalInfo) IsFailedVerification() bool { return t.StatusCode == StatusNotVerified }

// IsFailure reports any status but 200.
func (t TerminalInfo) IsFailure() bool { return t.StatusCode != StatusSuccess }

// Err returns nil on success, else a *StatusError with the code and message.
func (t TerminalInfo) Err() error {
	if t.IsSuccess() {
		return nil
	}
	return &StatusError{Code: t.StatusCode, Message: t.StatusMessage}
}

// StatusError is a call outcome other than success. An axon handler returns one to answer
// with that status; a dendrite returns one for a failed call (the same facts are in the
// synapse's Dendrite terminal info).
type StatusError struct {
	Code    int
	Message string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("synapse: status %d: %s", e.Code, e.Message)
}

// terminalFields is the Python field order.
var terminalFields = [...]string{"status_code", "status_message", "process_time", "ip", "port",
	"version", "nonce", "uuid", "hotkey", "signature"}

// MarshalJSON writes every field, null for zero values, in the Python field order.
func (t TerminalInfo) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 256)
	b = append(b, '{')
	for i, name := range terminalFields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
		b = t.appendJSONField(b, i)
	}
	return append(b, '}'), nil
}

func (t TerminalInfo) appendJSONField(b []byte, i int) []byte {
	str := func(s string) []byte {
		if s == "" {
			return append(b, "null"...)
		}
		if plainJSON(s) { // addresses, ids, IPs, hex: json.Marshal would only add quotes
			b = append(b, '"')
			b = append(b, s...)
			return append(b, '"')
		}
		q, _ := json.Marshal(s) // strings always marshal
		return append(b, q...)
	}
	num := func(n int64) []byte {
		if n == 0 {
			return append(b, "null"...)
		}
		return strconv.AppendInt(b, n, 10)
	}
	switch i {
	case 0:
		return num(int64(t.StatusCode))
	case 1:
		return str(t.StatusMessage)
	case 2:
		if t.ProcessTime == 0 || math.IsNaN(t.ProcessTime) || math.IsInf(t.ProcessTime, 0) {
			return append(b, "null"...)
		}
		return append(b, PyFloat(t.ProcessTime)...)
	case 3:
		return str(t.IP)
	case 4:
		return num(int64(t.Port))
	case 5:
		return num(int64(t.Version))
	case 6:
		return num(t.Nonce)
	case 7:
		return str(t.UUID)
	case 8:
		return str(t.Hotkey)
	default:
		return str(t.Signature)
	}
}

// plainJSON reports whether s is printable ASCII that json.Marshal copies unchanged between
// quotes: no quote, backslash or HTML character it escapes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// terminalWire is TerminalInfo as JSON carries it: numbers may come as numbers, numeric
// strings or null, strings as strings or null.
type terminalWire struct {
	StatusCode    json.RawMessage `json:"status_code"`
	StatusMessage *string         `json:"status_message"`
	ProcessTime   json.RawMessage `json:"process_time"`
	IP            *string         `json:"ip"`
	Port          json.RawMessage `json:"port"`
	Version       json.RawMessage `json:"version"`
	Nonce         json.RawMessage `json:"nonce"`
	UUID          *string         `json:"uuid"`
	Hotkey        *string         `json:"hotkey"`
	Signature     *string         `json:"signature"`
}

// UnmarshalJSON accepts what pydantic accepts for TerminalInfo: numbers, numeric strings
// and null for the numeric fields (Python's validators cast strings), strings or null for
// the rest. Unknown fields are ignored.
func (t *TerminalInfo) UnmarshalJSON(data []byte) error {
	// Every request and answer carries two terminal infos; the common shape (a flat object
	// of plain strings, numbers and nulls) is read in one pass without the second decode
	// below, which costs more than the rest of the body.
	if out, ok, err := parseTerminalFlat(data); ok {
		if err == nil {
			*t = out
		}
		return err
	}
	return t.unmarshalWire(data)
}

// unmarshalWire is UnmarshalJSON for any input.
func (t *TerminalInfo) unmarshalWire(data []byte) error {
	var w terminalWire
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("terminal info: %w", err)
	}
	var out TerminalInfo
	for i, raw := range [...]json.RawMessage{0: w.StatusCode, 2: w.ProcessTime, 4: w.Port, 5: w.Version, 6: w.Nonce} {
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		text := string(raw)
		if raw[0] == '"' {
			if err := json.Unmarshal(raw, &text); err != nil {
				return fmt.Errorf("terminal info %s: %w", terminalFields[i], err)
			}
		}
		if err := out.set(i, text); err != nil {
			return err
		}
	}
	for _, f := range [...]struct {
		dst *string
		src *string
	}{{&out.StatusMessage, w.StatusMessage}, {&out.IP, w.IP}, {&out.UUID, w.UUID}, {&out.Hotkey, w.Hotkey}, {&out.Signature, w.Signature}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	*t = out
	return nil
}

// set parses the text form of field i, as from a header.
func (t *TerminalInfo) set(i int, text string) error {
	parseInt := func(bits int) (int64, error) {
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, bits)
		if err != nil {
			return 0, fmt.Errorf("terminal info %s: %q is not an integer", terminalFields[i], text)
		}
		return n, nil
	}
	switch i {
	case 0:
		n, err := parseInt(32)
		t.StatusCode = int(n)
		return err
	case 1:
		t.StatusMessage = text
	case 2:
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("terminal info process_time: %q is not a finite number", text)
		}
		t.ProcessTime = f
	case 3:
		t.IP = text
	case 4:
		n, err := parseInt(32)
		t.Port = int(n)
		return err
	case 5:
		n, err := parseInt(64)
		t.Version = int(n)
		return err
	case 6:
		n, err := parseInt(64)
		t.Nonce = n
		return err
	case 7:
		t.UUID = text
	case 8:
		t.Hotkey = text
	case 9:
		t.Signature = text
	}
	return nil
}

// field returns the header text of field i and whether it is set (non-zero).
func (t *TerminalInfo) field(i int) (string, bool) {
	switch i {
	case 0:
		return strconv.Itoa(t.StatusCode), t.StatusCode != 0
	case 1:
		return t.StatusMessage, t.StatusMessage != ""
	case 2:
		return PyFloat(t.ProcessTime), t.ProcessTime != 0
	case 3:
		return t.IP, t.IP != ""
	case 4:
		return strconv.Itoa(t.Port), t.Port != 0
	case 5:
		return strconv.Itoa(t.Version), t.Version != 0
	case 6:
		return strconv.FormatInt(t.Nonce, 10), t.Nonce != 0
	case 7:
		return t.UUID, t.UUID != ""
	case 8:
		return t.Hotkey, t.Hotkey != ""
	default:
		return t.Signature, t.Signature != ""
	}
}

// Merge copies the non-zero fields of o into t, as a dendrite merges the terminal infos of
// response headers (reference §2.4 step 6).
func (t *TerminalInfo) Merge(o TerminalInfo) {
	if o.StatusCode != 0 {
		t.StatusCode = o.StatusCode
	}
	if o.StatusMessage != "" {
		t.StatusMessage = o.StatusMessage
	}
	if o.ProcessTime != 0 {
		t.ProcessTime = o.ProcessTime
	}
	if o.IP != "" {
		t.IP = o.IP
	}
	if o.Port != 0 {
		t.Port = o.Port
	}
	if o.Version != 0 {
		t.Version = o.Version
	}
	if o.Nonce != 0 {
		t.Nonce = o.Nonce
	}
	if o.UUID != "" {
		t.UUID = o.UUID
	}
	if o.Hotkey != "" {
		t.Hotkey = o.Hotkey
	}
	if o.Signature != "" {
		t.Signature = o.Signature
	}
}

// parseTerminalFlat reads a JSON object whose keys and string values are printable ASCII
// without escapes and whose values are strings, numbers or null, as unmarshalWire would.
// ok is false for any other input, which unmarshalWire must then read: escapes, non-ASCII,
// nested values, booleans, bad syntax, or a string field holding a number (an error there).
func parseTerminalFlat(data []byte) (out TerminalInfo, ok bool, err error) {
	var vals [len(terminalFields)][]byte // the last value of each field, as unmarshalWire keeps it
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return out, false, nil
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		i++
	} else {
		for {
			key, next, ok := plainString(data, i)
			if !ok {
				return out, false, nil
			}
			i = skipSpace(data, next)
			if i >= len(data) || data[i] != ':' {
				return out, false, nil
			}
			i = skipSpace(data, i+1)
			var val []byte
			switch {
			case i < len(data) && data[i] == '"':
				_, next, ok = plainString(data, i)
				val = data[i:next]
			case i+4 <= len(data) && string(data[i:i+4]) == "null":
				next, ok = i+4, true
				val = data[i:next]
			default:
				next, ok = jsonNumber(data, i)
				val = data[i:next]
			}
			if !ok {
				return out, false, nil
			}
			if f := terminalField(key); f >= 0 {
				vals[f] = val
			}
			i = skipSpace(data, next)
			if i < len(data) && data[i] == ',' {
				i = skipSpace(data, i+1)
				continue
			}
			if i < len(data) && data[i] == '}' {
				i++
				break
			}
			return out, false, nil
		}
	}
	if skipSpace(data, i) != len(data) {
		return out, false, nil
	}
	for f, v := range vals {
		if !terminalNumeric(f) && len(v) > 0 && v[0] != '"' && string(v) != "null" {
			return out, false, nil // a number for a string field: unmarshalWire's error
		}
	}
	for f, v := range vals {
		switch {
		case len(v) == 0 || string(v) == "null":
		case terminalNumeric(f):
			text := string(v)
			if v[0] == '"' {
				text = text[1 : len(text)-1]
			}
			if err := out.set(f, text); err != nil {
				return out, true, err
			}
		default:
			_ = out.set(f, string(v[1:len(v)-1])) // string fields take any text
		}
	}
	return out, true, nil
}

func terminalNumeric(f int) bool { return f == 0 || f == 2 || f == 4 || f == 5 || f == 6 }

// terminalField returns the index of the field key names, matched as encoding/json matches
// (exactly, else ignoring ASCII case), or -1.
func terminalField(key []byte) int {
	for f, name := range terminalFields {
		if string(key) == name {
			return f
		}
	}
	for f, name := range terminalFields {
		if strings.EqualFold(string(key), name) {
			return f
		}
	}
	return -1
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// plainString reads the string at data[i] if it is printable ASCII without escapes, and
// returns its contents and the index after its closing quote.
func plainString(data []byte, i int) (s []byte, next int, ok bool) {
	if i >= len(data) || data[i] != '"' {
		return nil, i, false
	}
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			return data[i+1 : j], j + 1, true
		case c < 0x20 || c > 0x7e || c == '\\':
			return nil, i, false
		}
	}
	return nil, i, false
}

// jsonNumber returns the end of the JSON number at data[i]: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func jsonNumber(data []byte, i int) (next int, ok bool) {
	digits := func(j int) int {
		for j < len(data) && data[j] >= '0' && data[j] <= '9' {
			j++
		}
		return j
	}
	j := i
	if j < len(data) && data[j] == '-' {
		j++
	}
	switch {
	case j < len(data) && data[j] == '0':
		j++
	case j < len(data) && data[j] >= '1' && data[j] <= '9':
		j = digits(j)
	default:
		return i, false
	}
	if j < len(data) && data[j] == '.' {
		k := digits(j + 1)
		if k == j+1 {
			return i, false
		}
		j = k
	}
	if j < len(data) && (data[j] == 'e' || data[j] == 'E') {
		j++
		if j < len(data) && (data[j] == '+' || data[j] == '-') {
			j++
		}
		k := digits(j)
		if k == j {
			return i, false
		}
		j = k
	}
	return j, true
}
