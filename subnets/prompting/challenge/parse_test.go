package challenge

import "testing"

// Every generated prompt parses back to a challenge with the same answer, and the parsed
// checker agrees with the generated one on right, reworded and wrong answers.
func TestParseRoundTrip(t *testing.T) {
	for seed := range uint64(800) {
		g := Generate(seed)
		p, ok := Parse(g.Prompt)
		if !ok {
			t.Fatalf("seed %d: %s prompt not recognised:\n%s", seed, g.Family, g.Prompt)
		}
		if p.Family != g.Family || p.Expected != g.Expected {
			t.Fatalf("seed %d: parsed %s %q, generated %s %q", seed, p.Family, p.Expected, g.Family, g.Expected)
		}
		for _, a := range []string{g.Expected, "The answer is " + g.Expected + ".", "0", "", g.Prompt} {
			if p.Check(a) != g.Check(a) {
				t.Fatalf("seed %d (%s): answer %q: parsed check %v, generated %v", seed, g.Family, a, p.Check(a), g.Check(a))
			}
		}
		if !p.Check(g.Expected) {
			t.Fatalf("seed %d: parsed check refuses the expected answer %q", seed, g.Expected)
		}
	}
}

func TestParseUserPrompts(t *testing.T) {
	for prompt, answer := range map[string]string{
		"What is 12 * 7 - 3?":                                         "81",
		"  What is (2 + 3) * 4?  ":                                    "It is 20.",
		"Sort these numbers in descending order: 3, -1, 10.":          "[10, 3, -1]",
		"What day of the week was 2024-02-29?":                        "It was a Thursday.",
		"What is the date 1 days after 2024-02-28? Give the date.":    "February 29, 2024",
		"Convert 3 miles to kilometres. Round to two decimal places.": "4.83 km",
	} {
		c, ok := Parse(prompt)
		if !ok || !c.Check(answer) {
			t.Errorf("%q: parsed %v, answer %q accepted %v (want %s)", prompt, ok, answer, c.Check(answer), c.Expected)
		}
	}
	for _, prompt := range []string{
		"Tell me about bread.",
		"What is the capital of France?",
		"What is 12 * 7 - 3? Also write a poem.",
		"What is 99999999 * 99999999 - 1?", // beyond maxParsed
		"Convert 3 parsecs to metres. Round to two decimal places.",
		"Read the passage and answer the question.\n\nPassage: Ana Holt lives in Lisbon and works as a baker. Ana's favourite number is 12. Ben Silva lives in Lisbon and works as a pilot. Ben's favourite number is 13.\n\nQuestion: In which city does Ana Holt live?", // two people share the city
	} {
		if c, ok := Parse(prompt); ok {
			t.Errorf("%q parsed as a %s challenge expecting %q", prompt, c.Family, c.Expected)
		}
	}
}
