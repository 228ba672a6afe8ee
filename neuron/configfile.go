package neuron

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// flattenJSON turns {"neuron": {"sample_size": 16}, "wallet.name": "m"} into
// {"neuron.sample_size": "16", "wallet.name": "m"}.
func flattenJSON(b []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var root map[string]any
	if err := dec.Decode(&root); err != nil {
		return nil, err
	}
	out := map[string]string{}
	var walk func(prefix string, m map[string]any) error
	walk = func(prefix string, m map[string]any) error {
		for _, k := range sortedKeys(m) {
			key := prefix + k
			if _, dup := out[key]; dup {
				return fmt.Errorf("key %q given twice", key)
			}
			switch v := m[k].(type) {
			case map[string]any:
				if err := walk(key+".", v); err != nil {
					return err
				}
			case string:
				out[key] = v
			case json.Number:
				out[key] = v.String()
			case bool:
				out[key] = strconv.FormatBool(v)
			case nil:
				// null leaves the default.
			default:
				return fmt.Errorf("key %q: want a string, number or boolean", key)
			}
		}
		return nil
	}
	return out, walk("", root)
}

// parseTOML reads the part of TOML a flat configuration needs: [table] headers (dotted
// allowed), key = value lines with bare or dotted keys, basic ("...") and literal ('...')
// strings, integers, floats, booleans and # comments. Arrays, inline tables and multi-line
// strings are refused with the line number.
func parseTOML(b []byte) (map[string]string, error) {
	out := map[string]string{}
	prefix := ""
	for i, line := range strings.Split(string(b), "\n") {
		n := i + 1
		line = strings.TrimSpace(stripComment(line))
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "[") {
			if strings.HasPrefix(line, "[[") || !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("line %d: want a [table] header; arrays of tables are not supported", n)
			}
			name := strings.TrimSpace(line[1 : len(line)-1])
			if !validKey(name) {
				return nil, fmt.Errorf("line %d: table name %q", n, name)
			}
			prefix = name + "."
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || !validKey(k) {
			return nil, fmt.Errorf("line %d: want key = value", n)
		}
		val, err := tomlValue(v)
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", n, k, err)
		}
		key := prefix + k
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("line %d: key %q given twice", n, key)
		}
		out[key] = val
	}
	return out, nil
}

// stripComment drops a # comment that is not inside a string.
func stripComment(line string) string {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case quote == '"' && c == '\\':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && c == '#':
			return line[:i]
		}
	}
	return line
}

func validKey(k string) bool {
	if k == "" || strings.HasPrefix(k, ".") || strings.HasSuffix(k, ".") || strings.Contains(k, "..") {
		return false
	}
	for _, c := range k {
		if !(c == '_' || c == '-' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func tomlValue(v string) (string, error) {
	switch {
	case v == "":
		return "", errors.New("no value")
	case strings.HasPrefix(v, `"""`), strings.HasPrefix(v, "'''"):
		return "", errors.New("multi-line strings are not supported")
	case v[0] == '"':
		s, err := strconv.Unquote(v)
		if err != nil {
			return "", fmt.Errorf("bad string %s", v)
		}
		return s, nil
	case v[0] == '\'':
		if len(v) < 2 || v[len(v)-1] != '\'' || strings.Contains(v[1:len(v)-1], "'") {
			return "", fmt.Errorf("bad literal string %s", v)
		}
		return v[1 : len(v)-1], nil
	case v[0] == '[' || v[0] == '{':
		return "", errors.New("arrays and inline tables are not supported")
	case v == "true" || v == "false":
		return v, nil
	}
	num := strings.ReplaceAll(v, "_", "")
	if _, err := strconv.ParseFloat(num, 64); err != nil {
		return "", fmt.Errorf("bad value %s (quote strings)", v)
	}
	return num, nil
}
