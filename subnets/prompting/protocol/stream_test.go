package protocol

import (
	"strings"
	"testing"
)

func TestStreamedCompletion(t *testing.T) {
	for _, c := range []struct {
		name, raw, want, err string
	}{
		{"done", "data: {\"content\":\"a \"}\n\ndata: {\"content\":\"b\"}\n\ndata: [DONE]\n\n", "a b", ""},
		{"crlf, comments, named events", ": hi\r\nevent: token\r\ndata: {\"content\":\"x\"}\r\n\r\ndata: [DONE]\r\n\r\n", "x", ""},
		{"done flag ends it", "data: {\"content\":\"x\",\"done\":true}\n\ndata: {\"content\":\"ignored\"}\n\n", "x", ""},
		{"bytes after [DONE] are not read", "data: {\"content\":\"x\"}\n\ndata: [DONE]\n\ndata: not json\n\n", "x", ""},
		{"multi-line data joins with a newline", "data: {\"content\":\ndata: \"x\"}\n\n", "x", ""},
		{"no end: up to the last complete event", "data: {\"content\":\"x\"}\n\ndata: {\"content\":\"y\"}\n", "x", ""},
		{"empty", "", "", ""},
		{"not a ChatDelta", "data: {\"content\":\"x\"}\n\ndata: nope\n\n", "", "not a ChatDelta"},
		{"an event without data", "event: ping\n\n", "", "not a ChatDelta"},
	} {
		got, err := StreamedCompletion([]byte(c.raw))
		if got != c.want || (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %q, %v; want %q, error %q", c.name, got, err, c.want, c.err)
		}
	}
}

func TestIsStreamedBody(t *testing.T) {
	for raw, want := range map[string]bool{
		`{"completion":"x"}`:    false,
		" \n{\"messages\":[]}":  false,
		"data: [DONE]\n\n":      true,
		": comment\ndata: {}\n": true,
		"":                      true,
	} {
		if IsStreamedBody([]byte(raw)) != want {
			t.Errorf("IsStreamedBody(%q) = %v", raw, !want)
		}
	}
}
