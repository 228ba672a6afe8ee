package validator

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/gotensor/gotensor/subnets/prompting/challenge"
	"github.com/gotensor/gotensor/subnets/prompting/miner"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
)

func TestScore(t *testing.T) {
	c := challenge.GenerateFamily(challenge.Arithmetic, 3)
	to := 4 * time.Second
	if s := Score(c, "The answer is "+c.Expected, 100*time.Millisecond, to); s != 1 {
		t.Errorf("fast correct: %v", s)
	}
	if s := Score(c, c.Expected, to, to); s != SlowFloor {
		t.Errorf("slow correct: %v", s)
	}
	if s := Score(c, c.Expected, 2250*time.Millisecond, to); s != 0.75 {
		t.Errorf("halfway: %v", s)
	}
	if Score(c, "", time.Millisecond, to) != 0 || Score(c, "0", time.Millisecond, to) != 0 {
		t.Error("empty or wrong answer scored")
	}
}

func TestTokens(t *testing.T) {
	got := Tokens("The Eiffel tower is 330 m tall; it cost 7,799,401.5 francs, an amount.")
	want := []string{"eiffel", "tower", "is", "330", "m", "tall", "it", "cost", "7799401.5", "francs", "amount"}
	if len(got) != len(want) {
		t.Fatalf("%q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%q, want %q", got, want)
		}
	}
}

func TestSimilarity(t *testing.T) {
	ref := "Paris is the capital of France."
	for _, tc := range []struct {
		answer   string
		min, max float64
	}{
		{"Paris is the capital of France.", 1, 1},
		{"The capital of France is Paris!", 1, 1},       // same words, other order
		{"France's capital city is Paris.", 0.5, 0.9},   // reworded
		{"Berlin is the capital of Germany.", 0.4, 0.7}, // wrong, though half the words match
		{"", 0, 0},      // empty
		{"...", 0, 0},   // nothing but punctuation
		{"Rome.", 0, 0}, // wrong and short
		{"Paris " + repeat("capital France ", 40), 0, 0.15}, // padding to fish for overlap
	} {
		s := Similarity(tc.answer, ref)
		if s < tc.min || s > tc.max || math.IsNaN(s) {
			t.Errorf("Similarity(%q) = %.3f, want in [%v, %v]", tc.answer, s, tc.min, tc.max)
		}
	}
	if Similarity("x", "") != 0 {
		t.Error("an empty reference scored")
	}
}

func repeat(s string, n int) (out string) {
	for range n {
		out += s
	}
	return out
}

// Free-prompt credit: a correct answer in other words beats a wrong one; echoing the prompt,
// an empty answer and a reply off the subject earn nothing.
func TestFreeCredit(t *testing.T) {
	prompt := "Tell me about the harbour in the morning."
	ref := "In the morning the boats leave the harbour early, and the fishermen watch the wind over the calm water."
	same := FreeCredit(prompt, ref, ref)
	reworded := FreeCredit(prompt, "Early in the morning fishermen take their boats out of the harbour while the water is calm and they watch the wind.", ref)
	offTopic := FreeCredit(prompt, "Mountains are white with snow and the path to the top is long.", ref)
	echo := FreeCredit(prompt, prompt, ref)
	empty := FreeCredit(prompt, "", ref)
	t.Logf("credit: reference %.2f, reworded %.2f, off topic %.2f, echo %.2f, empty %.2f", same, reworded, offTopic, echo, empty)
	if same != 1 || echo != 0 || empty != 0 {
		t.Errorf("reference %v, echo %v, empty %v: want 1, 0, 0", same, echo, empty)
	}
	if !(reworded > 0.5 && reworded > 3*offTopic) {
		t.Errorf("reworded answer %.2f should be well above an off-topic one %.2f", reworded, offTopic)
	}
	if FreeCredit("a b", "a b", "a b") != 0 {
		t.Error("a reference that restates the prompt should tell nothing apart")
	}
	if s := FreeScore(prompt, ref, ref, 4*time.Second, 4*time.Second); s != SlowFloor {
		t.Errorf("slow perfect answer: %v, want %v", s, SlowFloor)
	}
}

// With the built-in model as the reference, the localnet miners keep their order on free
// prompts: tools and the built-in model write the reference's text, careless writes none.
func TestFreePromptsRankLocalnetMiners(t *testing.T) {
	ref := miner.BuiltinBackend{Tools: true}
	backends := map[string]miner.Backend{"tools": miner.BuiltinBackend{Tools: true}, "builtin": miner.BuiltinBackend{}, "careless": miner.Careless{}}
	total := map[string]float64{}
	for seed := range uint64(60) {
		p := FreePrompt(seed)
		req := &protocol.Chat{Messages: []protocol.Message{{Role: "user", Content: p}}, MaxTokens: FreeTokens, Seed: int64(seed)}
		want, _, _ := ref.Complete(context.Background(), req)
		for name, b := range backends {
			got, _, _ := b.Complete(context.Background(), req)
			total[name] += FreeCredit(p, got, want)
		}
	}
	t.Logf("free-prompt credit over 60 prompts: %v", total)
	if !(total["tools"] >= total["builtin"] && total["builtin"] > 10*total["careless"]+1) {
		t.Errorf("credit %v: want tools ≥ builtin ≫ careless", total)
	}
	if FreePrompt(1) == FreePrompt(2) || FreePrompt(5) != FreePrompt(5) {
		t.Error("FreePrompt is not a varied pure function of the seed")
	}
}
