package challenge

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Parse recognises a prompt written in one of the families' forms, as a user may send it
// through the gateway ("What is 12 * 7 - 3?"), and returns the challenge it states, whose
// Check judges answers exactly as for a generated one. ok is false for any other prompt.
// Parse(Generate(seed).Prompt) gives back the same Expected answer for every seed.
//
// Only the exact forms are recognised, so a prompt is checkable only when its answer is
// certain; the validator scores other organic prompts against a reference completion, or
// not at all.
func Parse(prompt string) (c Challenge, ok bool) {
	p := strings.TrimSpace(prompt)
	for _, f := range parsers {
		if c, ok = f.parse(p); ok {
			c.Family = f.family
			return c, true
		}
	}
	return Challenge{}, false
}

var parsers = []struct {
	family Family
	parse  func(string) (Challenge, bool)
}{
	{Arithmetic, parseArithmetic}, {Word, parseWord}, {Unit, parseUnit}, {Date, parseDate},
	{Extract, parseExtract}, {Count, parseCount}, {Sort, parseSort}, {Format, parseFormat},
}

// maxParsed bounds every number a parsed prompt may contain, so products stay exact in
// float64 and nothing a user sends makes the validator do much work.
const maxParsed = 1_000_000

func atoi(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= -maxParsed && n <= maxParsed
}

func ints(m []string) ([]int, bool) {
	out := make([]int, len(m))
	for i, s := range m {
		n, ok := atoi(s)
		if !ok {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}

var arithmeticREs = []struct {
	re *regexp.Regexp
	f  func(a, b, c int) int
}{
	{regexp.MustCompile(`^What is (\d+) \+ (\d+) \* (\d+)\?$`), func(a, b, c int) int { return a + b*c }},
	{regexp.MustCompile(`^What is (\d+) \* (\d+) - (\d+)\?$`), func(a, b, c int) int { return a*b - c }},
	{regexp.MustCompile(`^What is \((\d+) \+ (\d+)\) \* (\d+)\?$`), func(a, b, c int) int { return (a + b) * c }},
	{regexp.MustCompile(`^What is (\d+) - (\d+) - (\d+)\?$`), func(a, b, c int) int { return a - b - c }},
}

func parseArithmetic(p string) (Challenge, bool) {
	for _, a := range arithmeticREs {
		if m := a.re.FindStringSubmatch(p); m != nil {
			n, ok := ints(m[1:])
			if !ok {
				return Challenge{}, false
			}
			v := a.f(n[0], n[1], n[2])
			return Challenge{Prompt: p, Expected: strconv.Itoa(v), check: lastNumberIs(float64(v), 1e-9)}, true
		}
	}
	return Challenge{}, false
}

var wordProblemRE = regexp.MustCompile(`^(\w+) has (\d+) (\w+)\. (\w+) buys (\d+) bags with (\d+) (\w+) in each bag, then gives (\d+) (\w+) to a friend\. How many (\w+) does (\w+) have now\?$`)

func parseWord(p string) (Challenge, bool) {
	m := wordProblemRE.FindStringSubmatch(p)
	if m == nil || m[1] != m[4] || m[1] != m[11] || m[3] != m[7] || m[3] != m[9] || m[3] != m[10] {
		return Challenge{}, false
	}
	n, ok := ints([]string{m[2], m[5], m[6], m[8]})
	if !ok {
		return Challenge{}, false
	}
	v := n[0] + n[1]*n[2] - n[3]
	return Challenge{Prompt: p, Expected: strconv.Itoa(v), check: lastNumberIs(float64(v), 1e-9)}, true
}

var unitRE = regexp.MustCompile(`^Convert (\d+(?:\.\d+)?) (\w+) to (\w+)\. Round to two decimal places\.$`)

func parseUnit(p string) (Challenge, bool) {
	m := unitRE.FindStringSubmatch(p)
	if m == nil {
		return Challenge{}, false
	}
	x, err := strconv.ParseFloat(m[1], 64)
	if err != nil || x > maxParsed {
		return Challenge{}, false
	}
	for _, cv := range Conversions {
		if cv.From == m[2] && cv.To == m[3] {
			exact := x * cv.Factor
			return Challenge{Prompt: p, Expected: fmtNum(math.Round(exact*100) / 100), check: lastNumberIs(exact, 0.0051)}, true
		}
	}
	return Challenge{}, false
}

var (
	weekdayRE   = regexp.MustCompile(`^What day of the week was (\d{4}-\d{2}-\d{2})\?$`)
	dateShiftRE = regexp.MustCompile(`^What is the date (\d+) days (after|before) (\d{4}-\d{2}-\d{2})\? Give the date\.$`)
)

func parseDate(p string) (Challenge, bool) {
	if m := weekdayRE.FindStringSubmatch(p); m != nil {
		day, err := time.Parse("2006-01-02", m[1])
		if err != nil {
			return Challenge{}, false
		}
		return weekdayChallenge(day), true
	}
	m := dateShiftRE.FindStringSubmatch(p)
	if m == nil {
		return Challenge{}, false
	}
	start, err := time.Parse("2006-01-02", m[3])
	n, ok := atoi(m[1])
	if err != nil || !ok {
		return Challenge{}, false
	}
	if m[2] == "before" {
		n = -n
	}
	end := start.AddDate(0, 0, n)
	return Challenge{Prompt: p, Expected: end.Format("2006-01-02"), check: dateIs(end)}, true
}

var (
	extractRE  = regexp.MustCompile(`^Read the passage and answer the question\.\n\nPassage: (.+)\n\nQuestion: (.+)$`)
	personRE   = regexp.MustCompile(`(\w+) (\w+) lives in (\w+) and works as a (\w+)\. (\w+)'s favourite number is (\d+)\.`)
	questionRE = regexp.MustCompile(`^(?:In which city does (\w+ \w+) live\?|What is (\w+ \w+)'s (job|favourite number)\?)$`)
)

func parseExtract(p string) (Challenge, bool) {
	m := extractRE.FindStringSubmatch(p)
	if m == nil {
		return Challenge{}, false
	}
	people := personRE.FindAllStringSubmatch(m[1], -1)
	// The passage must be nothing but such sentences, or a fact could hide outside them.
	if len(people) < 2 || len(strings.Join(flatten(people), " ")) != len(strings.Join(strings.Fields(m[1]), " ")) {
		return Challenge{}, false
	}
	q := questionRE.FindStringSubmatch(m[2])
	if q == nil {
		return Challenge{}, false
	}
	who, col := q[1], 3 // city
	if who == "" {
		who, col = q[2], 4
		if q[3] == "favourite number" {
			col = 6
		}
	}
	idx := -1
	vals := make([]string, len(people))
	for i, ps := range people {
		if ps[1] != ps[5] {
			return Challenge{}, false
		}
		vals[i] = ps[col]
		if ps[1]+" "+ps[2] == who {
			if idx >= 0 {
				return Challenge{}, false // two people of that name: ambiguous
			}
			idx = i
		}
	}
	// Values of the same kind must differ, or the checker could not tell them apart.
	sorted := slices.Clone(vals)
	slices.Sort(sorted)
	if idx < 0 || len(slices.Compact(sorted)) != len(vals) {
		return Challenge{}, false
	}
	return Challenge{Prompt: p, Expected: vals[idx], check: onlyValue(vals, idx)}, true
}

// flatten returns the whole matches of FindAllStringSubmatch.
func flatten(ms [][]string) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m[0]
	}
	return out
}

var countRE = regexp.MustCompile(`^How many times does the word "(\w+)" appear in this list: (\w+(?:, \w+)*)\?$`)

func parseCount(p string) (Challenge, bool) {
	m := countRE.FindStringSubmatch(p)
	if m == nil {
		return Challenge{}, false
	}
	k := 0
	for _, w := range strings.Split(m[2], ", ") {
		if w == m[1] {
			k++
		}
	}
	return Challenge{Prompt: p, Expected: strconv.Itoa(k), check: lastNumberIs(float64(k), 1e-9)}, true
}

var sortRE = regexp.MustCompile(`^Sort these numbers in (ascending|descending) order: (-?\d+(?:, -?\d+)*)\.$`)

func parseSort(p string) (Challenge, bool) {
	m := sortRE.FindStringSubmatch(p)
	if m == nil {
		return Challenge{}, false
	}
	want, ok := ints(strings.Split(m[2], ", "))
	if !ok || len(want) > 1000 {
		return Challenge{}, false
	}
	slices.Sort(want)
	if m[1] == "descending" {
		slices.Reverse(want)
	}
	s := make([]string, len(want))
	for i, x := range want {
		s[i] = strconv.Itoa(x)
	}
	return Challenge{Prompt: p, Expected: strings.Join(s, ", "), check: sortedIs(want)}, true
}

var (
	upperRE  = regexp.MustCompile(`^Write exactly (\d+) words about ([\w ]+), all in uppercase letters, and nothing else\.$`)
	jsonRE   = regexp.MustCompile(`^Reply with only a JSON object that has the key "(\w+)" set to the number (\d+)\.$`)
	repeatRE = regexp.MustCompile(`^Write the word "(\w+)" exactly (\d+) times, separated by commas, and nothing else\.$`)
)

func parseFormat(p string) (Challenge, bool) {
	if m := upperRE.FindStringSubmatch(p); m != nil {
		if n, ok := atoi(m[1]); ok && n > 0 && n <= 1000 {
			return upperChallenge(n, m[2]), true
		}
		return Challenge{}, false
	}
	if m := jsonRE.FindStringSubmatch(p); m != nil {
		if v, ok := atoi(m[2]); ok {
			return jsonChallenge(m[1], v), true
		}
		return Challenge{}, false
	}
	if m := repeatRE.FindStringSubmatch(p); m != nil {
		if n, ok := atoi(m[2]); ok && n > 0 && n <= 1000 {
			return repeatChallenge(m[1], n), true
		}
	}
	return Challenge{}, false
}
