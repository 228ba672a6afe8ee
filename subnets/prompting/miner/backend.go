// Package miner is the prompting subnet's miner: an axon serving the Chat
// synapse from a Backend chosen by flag (openai, builtin, careless).
package miner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gotensor/gotensor/subnets/prompting/protocol"
)

// Backend completes a chat. It returns the completion and the model's name.
type Backend interface {
	Complete(ctx context.Context, req *protocol.Chat) (text, model string, err error)
}

// NewBackend makes the backend named kind: "builtin" or "tools" (the built-in model with
// tools), "builtin-notools" (the model alone), "openai" (needs base URL and model) or
// "careless".
func NewBackend(kind string, o OpenAI) (Backend, error) {
	switch kind {
	case "builtin", "tools", "":
		return BuiltinBackend{Tools: true}, nil
	case "builtin-notools":
		return BuiltinBackend{}, nil
	case "careless":
		return Careless{}, nil
	case "openai":
		if o.BaseURL == "" || o.Model == "" {
			return nil, fmt.Errorf("miner: the openai backend needs a base URL and a model (e.g. %s http://127.0.0.1:8080/v1 %s llama3)", o.flag("base-url"), o.flag("model"))
		}
		return o, nil
	}
	return nil, fmt.Errorf("miner: unknown backend %q: use builtin (or tools), builtin-notools, openai or careless", kind)
}

// lastUser is the last user message's content.
func lastUser(msgs []protocol.Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == "user" {
			return msgs[i].Content
		}
	}
	return ""
}

// BuiltinBackend answers with the built-in model (Builtin).
type BuiltinBackend struct{ Tools bool }

// Complete implements Backend.
func (b BuiltinBackend) Complete(_ context.Context, req *protocol.Chat) (string, string, error) {
	name := "gotensor-trigram"
	if b.Tools {
		name += "+tools"
	}
	return Builtin{Tools: b.Tools}.Answer(lastUser(req.Messages), req.Seed, req.MaxTokens), name, nil
}

// Careless is a deliberately bad miner for demonstrations: it answers
// nothing half the time and a random number otherwise.
type Careless struct{}

// Complete implements Backend.
func (Careless) Complete(_ context.Context, req *protocol.Chat) (string, string, error) {
	r := rand.New(rand.NewPCG(uint64(req.Seed), uint64(time.Now().UnixNano())))
	if r.IntN(2) == 0 {
		return "", "careless", nil
	}
	return strconv.Itoa(r.IntN(100)), "careless", nil
}

// OpenAI proxies to any OpenAI-compatible chat completions endpoint
// (llama.cpp server, vLLM, Ollama, OpenAI).
type OpenAI struct {
	// BaseURL is the API root, e.g. "http://127.0.0.1:11434/v1"; /chat/completions is appended.
	BaseURL string
	// APIKey is sent as a bearer token; empty sends none.
	APIKey string
	// Model is the model name the endpoint serves.
	Model string
	// HTTP is the client used; nil means http.DefaultClient.
	HTTP *http.Client
	// Flags is the prefix of the command-line flags that set these fields, for the
	// hints in errors: "--reference.openai." in the validator. Empty means "--openai.".
	Flags string
}

// flag names one of o's flags, e.g. flag("api-key") = "--openai.api-key".
func (o OpenAI) flag(name string) string {
	if o.Flags == "" {
		return "--openai." + name
	}
	return o.Flags + name
}

// do sends req to the server with o's key and client.
func (o OpenAI) do(req *http.Request) (*http.Response, error) {
	if o.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+o.APIKey)
	}
	c := o.HTTP
	if c == nil {
		c = http.DefaultClient
	}
	return c.Do(req)
}

// statusHint says what to check for a refused request's status.
func (o OpenAI) statusHint(code int) string {
	switch code {
	case http.StatusUnauthorized, http.StatusForbidden:
		return "check " + o.flag("api-key") + " (or OPENAI_API_KEY)"
	case http.StatusNotFound:
		return o.flag("base-url") + " is the API root and usually ends in /v1; check it and " + o.flag("model")
	}
	return ""
}

// Check asks the server for its models (GET {base}/models, which llama.cpp, vLLM, Ollama
// and OpenAI serve), so that a server that is down, a base URL without its /v1, or a
// refused key shows at start rather than as one error per request.
func (o OpenAI) Check(ctx context.Context) error {
	url := strings.TrimRight(o.BaseURL, "/") + "/models"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("%s %q: %w", o.flag("base-url"), o.BaseURL, err)
	}
	resp, err := o.do(req)
	if err != nil {
		return fmt.Errorf("%w; start the server (llama-server, vllm serve, ollama serve) or fix %s", err, o.flag("base-url")) // err names the URL
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		if h := o.statusHint(resp.StatusCode); h != "" {
			return fmt.Errorf("GET %s: %s; %s", url, resp.Status, h)
		}
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// Complete implements Backend.
func (o OpenAI) Complete(ctx context.Context, req *protocol.Chat) (string, string, error) {
	resp, err := o.post(ctx, req, false)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return "", "", fmt.Errorf("openai backend: reading the response: %w", err)
	}
	var out struct {
		Model   string `json:"model"`
		Choices []struct {
			Message protocol.Message `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(data, &out); err != nil || len(out.Choices) == 0 {
		return "", "", fmt.Errorf("openai backend: not a chat completion: %.300s", data)
	}
	return out.Choices[0].Message.Content, out.Model, nil
}

// Streamer is a Backend that can also stream a completion: emit receives each piece of
// text as the model writes it.
type Streamer interface {
	Backend
	Stream(ctx context.Context, req *protocol.Chat, emit func(delta string) error) (model string, err error)
}

// Stream implements Streamer with "stream": true: the endpoint answers server-sent events,
// "data: {chunk}" lines whose choices[0].delta.content carry the text, ending with
// "data: [DONE]" (the OpenAI wire format, as llama.cpp, vLLM and Ollama send it).
func (o OpenAI) Stream(ctx context.Context, req *protocol.Chat, emit func(delta string) error) (string, error) {
	resp, err := o.post(ctx, req, true)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	model := ""
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok {
			continue // blank separators, ": comments", "event:" and "id:" lines
		}
		data = strings.TrimSpace(data)
		if data == "[DONE]" {
			return model, nil
		}
		var chunk struct {
			Model   string `json:"model"`
			Choices []struct {
				Delta struct {
					Content string `json:"content"`
				} `json:"delta"`
			} `json:"choices"`
			Error *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(data), &chunk); err != nil {
			return model, fmt.Errorf("openai backend: a stream chunk is not JSON: %.300s", data)
		}
		if chunk.Error != nil {
			return model, fmt.Errorf("openai backend: the stream failed: %s", chunk.Error.Message)
		}
		if chunk.Model != "" {
			model = chunk.Model
		}
		if len(chunk.Choices) > 0 && chunk.Choices[0].Delta.Content != "" {
			if err := emit(chunk.Choices[0].Delta.Content); err != nil {
				return model, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return model, fmt.Errorf("openai backend: reading the stream: %w", err)
	}
	return model, errors.New("openai backend: the stream ended without data: [DONE]; the server or a proxy cut it short")
}

// post sends req to /chat/completions and returns a 200 response, or an error naming the
// status and the start of the body.
func (o OpenAI) post(ctx context.Context, req *protocol.Chat, stream bool) (*http.Response, error) {
	body := map[string]any{"model": o.Model, "messages": req.Messages}
	if req.MaxTokens > 0 {
		body["max_tokens"] = req.MaxTokens
	}
	if req.Temperature > 0 {
		body["temperature"] = req.Temperature
	}
	if req.Seed != 0 {
		body["seed"] = req.Seed
	}
	if stream {
		body["stream"] = true
	}
	b, _ := json.Marshal(body)
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(o.BaseURL, "/")+"/chat/completions", bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("openai backend: base URL %q: %w", o.BaseURL, err)
	}
	hr.Header.Set("Content-Type", "application/json")
	if stream {
		hr.Header.Set("Accept", "text/event-stream")
	}
	resp, err := o.do(hr)
	if err != nil {
		return nil, fmt.Errorf("openai backend: %w; is the server at %s running?", err, o.BaseURL)
	}
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		hint := o.statusHint(resp.StatusCode)
		if hint != "" {
			hint = " (" + hint + ")"
		}
		return nil, fmt.Errorf("openai backend: %s%s: %.300s", resp.Status, hint, data)
	}
	return resp, nil
}
