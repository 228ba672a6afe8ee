package miner

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// corpus is the built-in model's training text (public domain, written for
// this repository).
//
//go:embed corpus.txt
var corpus string

// Trigram is a word-level trigram language model: it picks each next word
// from those that followed the previous two words in its training text. It
// writes grammatical-looking sentences about what its corpus talks about;
// it knows no facts, does no arithmetic and follows no instructions on its
// own. Builtin wraps it with rules for reading and formatting, and tools.
type Trigram struct {
	next  map[[2]string][]string
	words []string // vocabulary in first-seen order
}

// Train builds a model from text.
func Train(text string) *Trigram {
	m := &Trigram{next: map[[2]string][]string{}}
	seen := map[string]bool{}
	for _, para := range strings.Split(text, "\n\n") {
		ws := strings.Fields(para)
		a, b := "", ""
		for _, w := range ws {
			m.next[[2]string{a, b}] = append(m.next[[2]string{a, b}], w)
			if !seen[w] {
				seen[w] = true
				m.words = append(m.words, w)
			}
			a, b = b, w
		}
	}
	return m
}

// Generate writes up to n words, starting from a sentence start chosen by r,
// or from the context word when the corpus knows it.
func (m *Trigram) Generate(r *rand.Rand, context string, n int) string {
	a, b := "", ""
	var out []string
	if context != "" && m.next[[2]string{"", context}] != nil {
		b = context
		out = append(out, context)
	}
	for len(out) < n {
		cands := m.next[[2]string{a, b}]
		if len(cands) == 0 { // end of a paragraph: start again
			a, b = "", ""
			if cands = m.next[[2]string{a, b}]; len(cands) == 0 {
				break
			}
		}
		w := cands[r.IntN(len(cands))]
		out = append(out, w)
		a, b = b, w
		if strings.HasSuffix(w, ".") && len(out) >= n/2 {
			break
		}
	}
	return strings.Join(out, " ")
}

var (
	defaultModel     *Trigram
	defaultModelOnce sync.Once
)

// Model returns the trigram model trained on the bundled corpus (trained
// once, at first use: a few milliseconds).
func Model() *Trigram {
	defaultModelOnce.Do(func() { defaultModel = Train(corpus) })
	return defaultModel
}

// Builtin is the model that ships in the repository: the trigram model for
// free text, rules for reading a passage and following a required format,
// and, when Tools is set, tools for arithmetic, units, dates, counting and
// sorting.
type Builtin struct {
	Tools bool
}

// Answer completes prompt (the last user message) with seed driving the sampling.
func (b Builtin) Answer(prompt string, seed int64, maxTokens int) string {
	if b.Tools {
		if a, ok := useTools(prompt); ok {
			return a
		}
	}
	if a, ok := read(prompt); ok {
		return a
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	if a, ok := format(r, prompt); ok {
		return a
	}
	if maxTokens <= 0 || maxTokens > 200 {
		maxTokens = 60
	}
	var context string
	for _, w := range strings.Fields(prompt) {
		if w = strings.Trim(w, ".,?!\"'"); len(w) > 3 && Model().next[[2]string{"", w}] != nil {
			context = w
		}
	}
	return Model().Generate(r, context, maxTokens)
}

var (
	questionRE = regexp.MustCompile(`Question: (?:In which city does|What is) ([A-Z]\w+ [A-Z]\w+?)(?:'s)? (live|job|favourite number)`)
	factRE     = `%s lives in (\w+) and works as a (\w+)\. \w+'s favourite number is (\d+)`
)

// read answers a question about a passage by finding the sentence about its person.
func read(p string) (string, bool) {
	q := questionRE.FindStringSubmatch(p)
	if q == nil {
		return "", false
	}
	m := regexp.MustCompile(fmt.Sprintf(factRE, regexp.QuoteMeta(q[1]))).FindStringSubmatch(p)
	if m == nil {
		return "", false
	}
	switch q[2] {
	case "live":
		return q[1] + " lives in " + m[1] + ".", true
	case "job":
		return q[1] + " is a " + m[2] + ".", true
	default:
		return m[3], true
	}
}

var (
	upperRE  = regexp.MustCompile(`exactly (\d+) words about ([\w ]+), all in uppercase`)
	jsonRE   = regexp.MustCompile(`JSON object that has the key "(\w+)" set to the number (-?\d+)`)
	repeatRE = regexp.MustCompile(`Write the word "(\w+)" exactly (\d+) times, separated by commas`)
)

// format writes text of a requested shape, sampling words from the model.
func format(r *rand.Rand, p string) (string, bool) {
	if m := upperRE.FindStringSubmatch(p); m != nil {
		n, _ := strconv.Atoi(m[1])
		var ws []string
		for _, w := range strings.Fields(Model().Generate(r, "", 4*n)) {
			if w = strings.Trim(w, ".,;:!?\"'"); len(w) > 0 && len(ws) < n {
				ws = append(ws, strings.ToUpper(w))
			}
		}
		for len(ws) < n {
			ws = append(ws, "WORDS")
		}
		return strings.Join(ws, " "), true
	}
	if m := jsonRE.FindStringSubmatch(p); m != nil {
		v, _ := strconv.Atoi(m[2])
		b, _ := json.Marshal(map[string]int{m[1]: v})
		return string(b), true
	}
	if m := repeatRE.FindStringSubmatch(p); m != nil {
		n, _ := strconv.Atoi(m[2])
		return strings.Join(slices.Repeat([]string{m[1]}, n), ", "), true
	}
	return "", false
}
