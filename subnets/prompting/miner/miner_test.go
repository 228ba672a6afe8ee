package miner

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gotensor/gotensor/subnets/prompting/challenge"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
)

func ask(t *testing.T, b Backend, c challenge.Challenge) bool {
	t.Helper()
	text, _, err := b.Complete(context.Background(), &protocol.Chat{Messages: []protocol.Message{{Role: "user", Content: c.Prompt}}, Seed: int64(c.Seed)})
	if err != nil {
		t.Fatal(err)
	}
	return c.Check(text)
}

// The spread the demo relies on: tools solve every family; the built-in
// model alone reads passages and follows formats; careless solves none.
func TestBackendsQualitySpread(t *testing.T) {
	score := map[string]map[challenge.Family]int{}
	backends := map[string]Backend{"tools": BuiltinBackend{Tools: true}, "builtin": BuiltinBackend{}, "careless": Careless{}}
	for name, b := range backends {
		score[name] = map[challenge.Family]int{}
		for seed := uint64(0); seed < 400; seed++ {
			c := challenge.Generate(seed)
			if ask(t, b, c) {
				score[name][c.Family]++
			}
		}
	}
	for _, f := range challenge.Families {
		if score["tools"][f] != 50 {
			t.Errorf("tool-using miner solved %d/50 %s challenges", score["tools"][f], f)
		}
		if score["careless"][f] > 10 {
			t.Errorf("careless miner solved %d/50 %s challenges", score["careless"][f], f)
		}
	}
	for _, f := range []challenge.Family{challenge.Extract, challenge.Format} {
		if score["builtin"][f] != 50 {
			t.Errorf("built-in model solved %d/50 %s challenges", score["builtin"][f], f)
		}
	}
	total := func(m map[challenge.Family]int) (n int) {
		for _, v := range m {
			n += v
		}
		return n
	}
	if !(total(score["tools"]) > total(score["builtin"]) && total(score["builtin"]) > total(score["careless"])) {
		t.Errorf("scores not ordered: %v", score)
	}
	t.Logf("solved of 400: tools %d, builtin %d, careless %d", total(score["tools"]), total(score["builtin"]), total(score["careless"]))
}

func TestTrigramWritesCorpusLikeText(t *testing.T) {
	text, _, _ := BuiltinBackend{}.Complete(context.Background(), &protocol.Chat{Messages: []protocol.Message{{Role: "user", Content: "Tell me about bread."}}, Seed: 7})
	if len(text) < 20 {
		t.Fatalf("short text %q", text)
	}
}

func TestEval(t *testing.T) {
	for expr, want := range map[string]float64{"37 + 12 * 5": 97, "(1 + 2) * 3": 9, "10 - 4 - 3": 3, "-2 * 3": -6, "7 / 2": 3.5} {
		if got, err := Eval(expr); err != nil || got != want {
			t.Errorf("%s = %v, %v; want %v", expr, got, err, want)
		}
	}
	for _, bad := range []string{"1 +", "(1", "1 / 0", "x"} {
		if _, err := Eval(bad); err == nil {
			t.Errorf("%q evaluated", bad)
		}
	}
}

func TestOpenAIBackend(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer k" {
			http.Error(w, "bad", 400)
			return
		}
		var body struct {
			Model    string             `json:"model"`
			Messages []protocol.Message `json:"messages"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		json.NewEncoder(w).Encode(map[string]any{"model": body.Model, "choices": []any{map[string]any{"message": map[string]string{"role": "assistant", "content": "echo: " + body.Messages[0].Content}}}})
	}))
	defer srv.Close()
	b, err := NewBackend("openai", OpenAI{BaseURL: srv.URL + "/v1/", APIKey: "k", Model: "m1"})
	if err != nil {
		t.Fatal(err)
	}
	text, model, err := b.Complete(context.Background(), &protocol.Chat{Messages: []protocol.Message{{Role: "user", Content: "hi"}}})
	if err != nil || text != "echo: hi" || model != "m1" {
		t.Fatalf("%q %q %v", text, model, err)
	}
	if _, err := NewBackend("openai", OpenAI{}); err == nil {
		t.Fatal("openai without a URL accepted")
	}
}
