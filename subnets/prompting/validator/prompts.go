package validator

import (
	_ "embed"
	"strings"
)

// promptList holds the free-prompt templates and topics (public domain, written for this
// repository; the topics are those the built-in model's corpus talks about).
//
//go:embed prompts.txt
var promptList string

var freeTemplates, freeTopics = parsePrompts(promptList)

func parsePrompts(s string) (templates, topics []string) {
	dst := &templates
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "---":
			dst = &topics
		case line != "" && !strings.HasPrefix(line, "#"):
			*dst = append(*dst, line)
		}
	}
	return templates, topics
}

// FreePrompt is the free prompt for seed: one of the bundled templates about one of the
// bundled topics. It is a pure function of the seed, as challenges are; what keeps a miner
// from replaying old answers is that the reference completion depends on the seed too (sent
// as Chat.Seed) wherever the reference backend honours seeds.
func FreePrompt(seed uint64) string {
	t := freeTemplates[seed%uint64(len(freeTemplates))]
	return strings.ReplaceAll(t, "{topic}", freeTopics[(seed/uint64(len(freeTemplates)))%uint64(len(freeTopics))])
}
