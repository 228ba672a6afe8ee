package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// jsResult is what testdata/openai-js/run.mjs prints.
type jsResult struct {
	ClientVersion string `json:"client_version"`
	Models        []struct {
		ID     string `json:"id"`
		Object string `json:"object"`
	} `json:"models"`
	Chat struct {
		Object       string   `json:"object"`
		Content      string   `json:"content"`
		FinishReason string   `json:"finish_reason"`
		Usage        *jsUsage `json:"usage"`
	} `json:"chat"`
	Stream struct {
		Content      string   `json:"content"`
		Chunks       int      `json:"chunks"`
		FinishReason string   `json:"finish_reason"`
		Usage        *jsUsage `json:"usage"`
	} `json:"stream"`
	Completion struct {
		Object string   `json:"object"`
		Text   string   `json:"text"`
		Usage  *jsUsage `json:"usage"`
	} `json:"completion"`
	CompletionStream struct {
		Object       string   `json:"object"`
		Text         string   `json:"text"`
		Chunks       int      `json:"chunks"`
		FinishReason string   `json:"finish_reason"`
		Usage        *jsUsage `json:"usage"`
	} `json:"completion_stream"`
	Error *struct {
		Class   string `json:"class"`
		Status  int    `json:"status"`
		Type    string `json:"type"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type jsUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// TestOpenAINodeClient runs the official openai npm client (pinned in
// testdata/openai-js/package.json, installed by scripts/install-test-deps.sh) against a
// gateway over a real node and a real streaming miner: model listing, chat, streamed chat,
// completions and a typed error, with no client changes beyond baseURL and apiKey.
func TestOpenAINodeClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; scripts/install-test-deps.sh installs Node.js and the openai npm client")
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "openai-js"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "openai", "package.json")); err != nil {
		t.Skipf("the openai npm client is not installed in %s; run `npm ci` there (scripts/install-test-deps.sh does)", dir)
	}

	nw := startNetwork(t)
	g := startGateway(t, nw, baseConfig(nw, true))
	_, key, _ := createKey(t, g, "free")

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "run.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GATEWAY_URL="+g.url+"/v1", "GATEWAY_KEY="+key, "GATEWAY_MODEL=gotensor-echo")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node run.mjs: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	var got jsResult
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("run.mjs printed no JSON (%v): %s", err, stdout.String())
	}
	if got.ClientVersion == "" {
		t.Error("run.mjs printed no client version")
	}
	t.Logf("openai npm client %s", got.ClientVersion)

	var ids []string
	for _, m := range got.Models {
		if m.Object != "model" {
			t.Errorf("model %q has object %q", m.ID, m.Object)
		}
		ids = append(ids, m.ID)
	}
	if strings.Join(ids, ",") != "gotensor-echo,gotensor-paid,nowhere" {
		t.Errorf("models.list: %v", ids)
	}
	// The streaming miner echoes word by word, each followed by a space.
	if c := got.Chat; c.Object != "chat.completion" || c.Content != "echo hello there " || c.FinishReason != "stop" ||
		c.Usage == nil || c.Usage.PromptTokens != 2 || c.Usage.CompletionTokens != 3 || c.Usage.TotalTokens != 5 {
		t.Errorf("chat: %+v usage %+v", c, c.Usage)
	}
	// A role chunk, one chunk per word, the finish chunk and the usage chunk.
	if s := got.Stream; s.Content != "echo one two three " || s.FinishReason != "stop" || s.Chunks != 7 ||
		s.Usage == nil || s.Usage.PromptTokens != 3 || s.Usage.CompletionTokens != 4 || s.Usage.TotalTokens != 7 {
		t.Errorf("stream: %+v usage %+v", s, s.Usage)
	}
	if c := got.Completion; c.Object != "text_completion" || c.Text != "echo say hi " || c.Usage == nil || c.Usage.CompletionTokens != 3 {
		t.Errorf("completion: %+v usage %+v", c, c.Usage)
	}
	// One chunk per word, the finish chunk and the usage chunk.
	if s := got.CompletionStream; s.Object != "text_completion" || s.Text != "echo count to three " || s.FinishReason != "stop" || s.Chunks != 6 ||
		s.Usage == nil || s.Usage.PromptTokens != 3 || s.Usage.CompletionTokens != 4 || s.Usage.TotalTokens != 7 {
		t.Errorf("completion stream: %+v usage %+v", s, s.Usage)
	}
	if e := got.Error; e == nil || e.Class != "NotFoundError" || e.Status != 404 || e.Type != "invalid_request_error" ||
		e.Code != "model_not_found" || !strings.Contains(e.Message, "no-such-model") {
		t.Errorf("unknown model error: %+v", e)
	}
}
