// Package miner is the prompting subnet's miner: an axon serving the Chat
// synapse from a Backend chosen by flag (openai, builtin, careless).
package miner

import (
	"bytes"
	"context"
	"encoding/json"
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

// NewBackend makes the backend named kind: "builtin" (with tools unless
// noTools), "builtin-notools", "openai" (needs base URL and model) or "careless".
func NewBackend(kind string, o OpenAI) (Backend, error) {
	switch kind {
	case "builtin", "":
		return BuiltinBackend{Tools: true}, nil
	case "builtin-notools":
		return BuiltinBackend{}, nil
	case "careless":
		return Careless{}, nil
	case "openai":
		if o.BaseURL == "" || o.Model == "" {
			return nil, fmt.Errorf("miner: the openai backend needs a base URL and a model (e.g. --openai.base-url http://127.0.0.1:8080/v1 --openai.model llama3)")
		}
		return o, nil
	}
	return nil, fmt.Errorf("miner: unknown backend %q: use builtin, builtin-notools, openai or careless", kind)
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
}

// Complete implements Backend.
func (o OpenAI) Complete(ctx context.Context, req *protocol.Chat) (string, string, error) {
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
	b, _ := json.Marshal(body)
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(o.BaseURL, "/")+"/chat/completions", bytes.NewReader(b))
	if err != nil {
		return "", "", err
	}
	hr.Header.Set("Content-Type", "application/json")
	if o.APIKey != "" {
		hr.Header.Set("Authorization", "Bearer "+o.APIKey)
	}
	c := o.HTTP
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(hr)
	if err != nil {
		return "", "", fmt.Errorf("openai backend: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return "", "", fmt.Errorf("openai backend: reading the response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("openai backend: %s: %.300s", resp.Status, data)
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
