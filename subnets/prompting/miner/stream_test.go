package miner

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
)

// streamFrom serves b as a streaming Chat axon and returns what a dendrite reads from it:
// the ChatDelta contents, and whether "[DONE]" ended the stream.
func streamFrom(t *testing.T, b Backend, prompt string) ([]string, bool) {
	t.Helper()
	hot, _ := keys.FromURI("//Charlie/stream")
	a, err := axon.New(hot, axon.TestConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := axon.HandleStream(a, StreamHandler(b)); err != nil {
		t.Fatal(err)
	}
	info := axontest.Start(t, a)
	val, _ := keys.FromURI("//Dave/stream")
	d, err := dendrite.New(val, dendrite.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s, err := d.Stream(t.Context(), info, &protocol.Chat{Messages: []protocol.Message{{Role: "user", Content: prompt}}, Stream: true, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var deltas []string
	for ev, err := range s.Events() {
		if err != nil {
			t.Fatal(err)
		}
		if string(ev.Data) == "[DONE]" {
			return deltas, true
		}
		var cd protocol.ChatDelta
		if err := json.Unmarshal(ev.Data, &cd); err != nil {
			t.Fatalf("event %q is not a ChatDelta: %v", ev.Data, err)
		}
		deltas = append(deltas, cd.Content)
	}
	return deltas, false
}

// The miner relays an OpenAI-compatible server's stream piece by piece through its axon.
func TestStreamHandlerRelaysServerStream(t *testing.T) {
	ts := httptest.NewServer(&openAIServer{key: "k", model: "m"})
	defer ts.Close()
	deltas, done := streamFrom(t, OpenAI{BaseURL: ts.URL + "/v1", APIKey: "k", Model: "m"}, "one two three")
	if !done || strings.Join(deltas, "") != "three two one" || len(deltas) != 3 {
		t.Fatalf("deltas %q, done %v", deltas, done)
	}
	// A backend that cannot stream sends its whole answer as one event.
	deltas, done = streamFrom(t, BuiltinBackend{Tools: true}, "What is 2 + 3 * 4?")
	if !done || len(deltas) != 1 || !strings.Contains(deltas[0], "14") {
		t.Fatalf("builtin deltas %q, done %v", deltas, done)
	}
}
