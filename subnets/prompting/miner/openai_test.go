package miner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/subnets/prompting/protocol"
)

// openAIServer is an OpenAI-compatible chat completions server speaking the wire format
// as llama.cpp's server, vLLM and Ollama's /v1 do: POST /v1/chat/completions with a JSON
// body; a chat.completion object, or with "stream": true server-sent events of
// chat.completion.chunk objects (a first chunk with the role, one per piece of text, a last
// one with finish_reason and an empty delta) ending with "data: [DONE]"; OpenAI-shaped
// errors with 401 for a bad key and 404 for an unknown model. Its "model" answers with the
// last user message's words in reverse order, max_tokens words at most.
type openAIServer struct {
	key, model string
	cutShort   bool // end a stream without [DONE], as a dying server does
	requests   []map[string]any
}

func (s *openAIServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail := func(code int, typ, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "code": code}})
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		fail(http.StatusNotFound, "invalid_request_error", "unknown endpoint "+r.Method+" "+r.URL.Path)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.key {
		fail(http.StatusUnauthorized, "authentication_error", "invalid api key")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		fail(http.StatusBadRequest, "invalid_request_error", "content-type must be application/json")
		return
	}
	var raw map[string]any
	var req struct {
		Model       string             `json:"model"`
		Messages    []protocol.Message `json:"messages"`
		MaxTokens   int                `json:"max_tokens"`
		Temperature *float64           `json:"temperature"`
		Seed        *int64             `json:"seed"`
		Stream      bool               `json:"stream"`
	}
	var body json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || json.Unmarshal(body, &req) != nil || json.Unmarshal(body, &raw) != nil {
		fail(http.StatusBadRequest, "invalid_request_error", "body is not JSON")
		return
	}
	s.requests = append(s.requests, raw)
	if req.Model != s.model {
		fail(http.StatusNotFound, "not_found_error", fmt.Sprintf("model %q not found", req.Model))
		return
	}
	if len(req.Messages) == 0 {
		fail(http.StatusBadRequest, "invalid_request_error", "messages is required")
		return
	}
	words := strings.Fields(req.Messages[len(req.Messages)-1].Content)
	slices.Reverse(words)
	if req.MaxTokens > 0 && len(words) > req.MaxTokens {
		words = words[:req.MaxTokens]
	}
	finish := "stop"
	id, created := "chatcmpl-test", time.Now().Unix()
	if !req.Stream {
		text := strings.Join(words, " ")
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": id, "object": "chat.completion", "created": created, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": text}, "finish_reason": finish}},
			"usage":   map[string]int{"prompt_tokens": 3, "completion_tokens": len(words), "total_tokens": 3 + len(words)},
		})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	fl := w.(http.Flusher)
	chunk := func(delta map[string]any, finish any) {
		b, _ := json.Marshal(map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		fl.Flush()
	}
	chunk(map[string]any{"role": "assistant", "content": ""}, nil)
	fmt.Fprint(w, ": keep-alive comment, as some servers send\n\n")
	for i, word := range words {
		if i > 0 {
			word = " " + word
		}
		chunk(map[string]any{"content": word}, nil)
	}
	if s.cutShort {
		return
	}
	chunk(map[string]any{}, finish)
	fmt.Fprint(w, "data: [DONE]\n\n")
	fl.Flush()
}

func TestOpenAIBackendAgainstCompatibleServer(t *testing.T) {
	srv := &openAIServer{key: "sk-test", model: "llama3"}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	b, err := NewBackend("openai", OpenAI{BaseURL: ts.URL + "/v1/", APIKey: "sk-test", Model: "llama3"})
	if err != nil {
		t.Fatal(err)
	}
	req := &protocol.Chat{Messages: []protocol.Message{{Role: "system", Content: "be brief"}, {Role: "user", Content: "one two three four"}}, MaxTokens: 3, Seed: 7, Temperature: 0.5}
	text, model, err := b.Complete(context.Background(), req)
	if err != nil || text != "four three two" || model != "llama3" {
		t.Fatalf("Complete: %q %q %v", text, model, err)
	}
	got := srv.requests[0]
	if got["max_tokens"] != 3.0 || got["seed"] != 7.0 || got["temperature"] != 0.5 || got["stream"] != nil || len(got["messages"].([]any)) != 2 {
		t.Fatalf("request body %v", got)
	}

	var deltas []string
	model, err = b.(Streamer).Stream(context.Background(), req, func(d string) error { deltas = append(deltas, d); return nil })
	if err != nil || model != "llama3" || strings.Join(deltas, "") != "four three two" || len(deltas) != 3 {
		t.Fatalf("Stream: %q %q %v", deltas, model, err)
	}
	if srv.requests[1]["stream"] != true {
		t.Fatalf("stream request body %v", srv.requests[1])
	}

	// The miner's handlers serve the same text, plain and streamed.
	syn := &protocol.Chat{Messages: []protocol.Message{{Role: "user", Content: "a b"}}}
	if err := Handler(b).Forward(context.Background(), syn); err != nil || *syn.Completion != "b a" || syn.Usage.CompletionTokens != 2 {
		t.Fatalf("Handler: %v %+v", err, syn)
	}

	for name, tc := range map[string]struct {
		o    OpenAI
		want string
	}{
		"bad key":       {OpenAI{BaseURL: ts.URL + "/v1", APIKey: "wrong", Model: "llama3"}, "OPENAI_API_KEY"},
		"unknown model": {OpenAI{BaseURL: ts.URL + "/v1", APIKey: "sk-test", Model: "gpt-9"}, `model \"gpt-9\" not found`},
		"wrong path":    {OpenAI{BaseURL: ts.URL, APIKey: "sk-test", Model: "llama3"}, "ends in /v1"},
	} {
		if _, _, err := tc.o.Complete(context.Background(), req); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Complete error %v, want it to mention %q", name, err, tc.want)
		}
		if _, err := tc.o.Stream(context.Background(), req, func(string) error { return nil }); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Stream error %v, want it to mention %q", name, err, tc.want)
		}
	}
	srv.cutShort = true
	if _, err := b.(Streamer).Stream(context.Background(), req, func(string) error { return nil }); err == nil || !strings.Contains(err.Error(), "[DONE]") {
		t.Errorf("a stream cut short: %v", err)
	}
	if _, err := NewBackend("openai", OpenAI{}); err == nil {
		t.Fatal("openai without a URL accepted")
	}
}

// Check tells a server that is down, a base URL that misses /v1 and a refused key
// apart, each with what to change; a server that lists its models passes.
func TestOpenAICheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path != "/v1/models":
			http.NotFound(w, r)
		case r.Header.Get("Authorization") != "Bearer sk-right":
			http.Error(w, "bad key", http.StatusUnauthorized)
		default:
			io.WriteString(w, `{"object":"list","data":[{"id":"qwen"}]}`)
		}
	}))
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	defer srv.Close()
	for _, tc := range []struct {
		o   OpenAI
		say string
	}{
		{OpenAI{BaseURL: srv.URL + "/v1/", APIKey: "sk-right"}, ""},
		{OpenAI{BaseURL: srv.URL + "/v1", APIKey: "sk-wrong"}, "--openai.api-key"},
		{OpenAI{BaseURL: srv.URL, APIKey: "sk-right"}, "ends in /v1"},
		{OpenAI{BaseURL: down.URL + "/v1"}, "start the server"},
		// The validator's reference backend names its own flags.
		{OpenAI{BaseURL: srv.URL + "/v1", APIKey: "sk-wrong", Flags: "--reference.openai."}, "check --reference.openai.api-key"},
		{OpenAI{BaseURL: srv.URL, Flags: "--reference.openai."}, "--reference.openai.base-url is the API root and usually ends in /v1"},
	} {
		err := tc.o.Check(context.Background())
		if tc.say == "" && err != nil || tc.say != "" && (err == nil || !strings.Contains(err.Error(), tc.say)) {
			t.Errorf("%s key %q: %v, want %q", tc.o.BaseURL, tc.o.APIKey, err, tc.say)
		}
	}
}
