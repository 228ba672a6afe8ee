package challenge

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var (
	numberRE      = regexp.MustCompile(`-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?`)
	plainNumberRE = regexp.MustCompile(`-?\d+(?:\.\d+)?`)
)

// Numbers returns the numbers written in s, in order ("1,234" is 1234).
func Numbers(s string) []float64 {
	var out []float64
	for _, m := range numberRE.FindAllString(s, -1) {
		if f, err := strconv.ParseFloat(strings.ReplaceAll(m, ",", ""), 64); err == nil {
			out = append(out, f)
		}
	}
	return out
}

// lastNumberIs accepts an answer whose last number equals want within tol:
// "42", "42.0", "The answer is 42." and "5 + 37 = 42" all pass; a list of
// guesses does not, since only the last number counts.
func lastNumberIs(want, tol float64) func(string) bool {
	return func(a string) bool {
		ns := Numbers(a)
		return len(ns) > 0 && math.Abs(ns[len(ns)-1]-want) <= tol
	}
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func genArithmetic(r *rand.Rand) Challenge {
	a, b, c := r.IntN(90)+10, r.IntN(40)+2, r.IntN(90)+5
	var expr string
	var v int
	switch r.IntN(4) {
	case 0:
		expr, v = fmt.Sprintf("%d + %d * %d", a, b, c), a+b*c
	case 1:
		expr, v = fmt.Sprintf("%d * %d - %d", a, b, c), a*b-c
	case 2:
		expr, v = fmt.Sprintf("(%d + %d) * %d", a, c, b), (a+c)*b
	default:
		expr, v = fmt.Sprintf("%d - %d - %d", a*b, c, b), a*b-c-b
	}
	return Challenge{Prompt: fmt.Sprintf("What is %s?", expr), Expected: strconv.Itoa(v), check: lastNumberIs(float64(v), 1e-9)}
}

var (
	names  = []string{"Ana", "Ben", "Chiara", "Dmitri", "Esi", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kemi", "Lars"}
	things = []string{"marbles", "apples", "stamps", "pencils", "shells", "coins", "stickers", "cards"}
)

func genWord(r *rand.Rand) Challenge {
	who, what := names[r.IntN(len(names))], things[r.IntN(len(things))]
	have, bags, per, give := r.IntN(40)+5, r.IntN(6)+2, r.IntN(12)+3, r.IntN(10)+1
	v := have + bags*per - give
	p := fmt.Sprintf("%s has %d %s. %s buys %d bags with %d %s in each bag, then gives %d %s to a friend. How many %s does %s have now?",
		who, have, what, who, bags, per, what, give, what, what, who)
	return Challenge{Prompt: p, Expected: strconv.Itoa(v), check: lastNumberIs(float64(v), 1e-9)}
}

// Conversion is one unit conversion the unit family asks for.
type Conversion struct {
	From, To string
	Factor   float64
}

// Conversions are the unit conversions asked (shared with miners' tools).
var Conversions = []Conversion{
	{"kilometres", "metres", 1000}, {"metres", "centimetres", 100}, {"kilograms", "grams", 1000},
	{"hours", "minutes", 60}, {"minutes", "seconds", 60}, {"inches", "centimetres", 2.54},
	{"miles", "kilometres", 1.609344}, {"litres", "millilitres", 1000}, {"days", "hours", 24},
}

func genUnit(r *rand.Rand) Challenge {
	cv := Conversions[r.IntN(len(Conversions))]
	x := float64(r.IntN(200)+1) / 4 // quarters: 0.25 .. 50
	exact := x * cv.Factor
	p := fmt.Sprintf("Convert %s %s to %s. Round to two decimal places.", fmtNum(x), cv.From, cv.To)
	// Either rounding of a value ending in 5 is within half a cent of the exact value.
	return Challenge{Prompt: p, Expected: fmtNum(math.Round(exact*100) / 100), check: lastNumberIs(exact, 0.0051)}
}

var dateLayouts = []string{"2006-01-02", "2006/01/02", "January 2, 2006", "January 2 2006", "2 January 2006",
	"Jan 2, 2006", "Jan 2 2006", "2 Jan 2006", "Monday, January 2, 2006", "Monday, 2 January 2006"}

var (
	dateRE = regexp.MustCompile(`\d{4}[-/]\d{2}[-/]\d{2}|(?:[A-Z][a-z]+,? )?(?:\d{1,2}(?:st|nd|rd|th)?(?: of)? [A-Z][a-z]+,? \d{4}|[A-Z][a-z]+ \d{1,2}(?:st|nd|rd|th)?,? \d{4})`)
	// ordinalRE finds a day written as an ordinal ("24th", "1st of"), which Dates reads as the number.
	ordinalRE = regexp.MustCompile(`(\d)(?:st|nd|rd|th)(?: of)?\b`)
)

// Dates returns the calendar dates written in s, in any of the common
// layouts (2024-04-24, April 24, 2024, 24 April 2024, April 24th, 2024,
// 24th of April 2024, ...).
func Dates(s string) []time.Time {
	var out []time.Time
	for _, m := range dateRE.FindAllString(s, -1) {
		m = ordinalRE.ReplaceAllString(m, "$1")
		for _, l := range dateLayouts {
			if t, err := time.Parse(l, m); err == nil {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

func genDate(r *rand.Rand) Challenge {
	start := time.Date(2000+r.IntN(40), time.Month(r.IntN(12)+1), r.IntN(28)+1, 0, 0, 0, 0, time.UTC)
	n := r.IntN(400) + 1
	if r.IntN(3) == 0 {
		return weekdayChallenge(start)
	}
	dir, end := "after", start.AddDate(0, 0, n)
	if r.IntN(2) == 0 {
		dir, end = "before", start.AddDate(0, 0, -n)
	}
	p := fmt.Sprintf("What is the date %d days %s %s? Give the date.", n, dir, start.Format("2006-01-02"))
	return Challenge{Prompt: p, Expected: end.Format("2006-01-02"), check: dateIs(end)}
}

func weekdayChallenge(day time.Time) Challenge {
	wd := day.Weekday().String()
	return Challenge{
		Prompt:   fmt.Sprintf("What day of the week was %s?", day.Format("2006-01-02")),
		Expected: wd,
		check: func(a string) bool {
			days := 0
			for d := time.Sunday; d <= time.Saturday; d++ {
				if containsWord(a, d.String()) {
					days++
				}
			}
			return days == 1 && containsWord(a, wd)
		},
	}
}

func dateIs(end time.Time) func(string) bool {
	return func(a string) bool {
		ds := Dates(a)
		// The last date written is the answer; the question's own date may be repeated.
		return len(ds) > 0 && ds[len(ds)-1].Equal(end)
	}
}

func containsWord(s, w string) bool {
	return regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(w) + `\b`).MatchString(s)
}

var (
	surnames = []string{"Holt", "Brandt", "Okafor", "Silva", "Novak", "Lindqvist", "Moreau", "Tanaka", "Reyes", "Kowalski"}
	cities   = []string{"Lisbon", "Tromso", "Accra", "Kyoto", "Quito", "Tallinn", "Porto", "Dakar", "Hobart", "Bergen", "Cusco", "Perth"}
	jobs     = []string{"baker", "pilot", "surgeon", "carpenter", "librarian", "chemist", "gardener", "potter", "sailor", "weaver"}
)

func pick(r *rand.Rand, from []string, n int) []string {
	idx := r.Perm(len(from))[:n]
	out := make([]string, n)
	for i, j := range idx {
		out[i] = from[j]
	}
	return out
}

func genExtract(r *rand.Rand) Challenge {
	const n = 4
	first, last, city, job := pick(r, names, n), pick(r, surnames, n), pick(r, cities, n), pick(r, jobs, n)
	nums := r.Perm(90)[:n]
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s %s lives in %s and works as a %s. %s's favourite number is %d. ", first[i], last[i], city[i], job[i], first[i], nums[i]+10)
	}
	q := r.IntN(n)
	who := first[q] + " " + last[q]
	var question string
	var vals []string
	switch r.IntN(3) {
	case 0:
		question, vals = fmt.Sprintf("In which city does %s live?", who), city
	case 1:
		question, vals = fmt.Sprintf("What is %s's job?", who), job
	default:
		question = fmt.Sprintf("What is %s's favourite number?", who)
		for _, v := range nums {
			vals = append(vals, strconv.Itoa(v+10))
		}
	}
	p := "Read the passage and answer the question.\n\nPassage: " + strings.TrimSpace(b.String()) + "\n\nQuestion: " + question
	return Challenge{Prompt: p, Expected: vals[q], check: onlyValue(vals, q)}
}

// onlyValue accepts the right value, and no other person's value of the same kind: an
// answer that copies the passage back names them all.
func onlyValue(vals []string, q int) func(string) bool {
	return func(a string) bool {
		for i, v := range vals {
			if containsWord(a, v) != (i == q) {
				return false
			}
		}
		return true
	}
}

var fruits = []string{"apple", "pear", "fig", "plum", "kiwi", "lime", "mango", "peach"}

func genCount(r *rand.Rand) Challenge {
	set := pick(r, fruits, 4)
	n := r.IntN(10) + 8
	words := make([]string, n)
	for i := range words {
		words[i] = set[r.IntN(len(set))]
	}
	target := words[r.IntN(n)]
	k := 0
	for _, w := range words {
		if w == target {
			k++
		}
	}
	p := fmt.Sprintf("How many times does the word %q appear in this list: %s?", target, strings.Join(words, ", "))
	return Challenge{Prompt: p, Expected: strconv.Itoa(k), check: lastNumberIs(float64(k), 1e-9)}
}

func genSort(r *rand.Rand) Challenge {
	n := r.IntN(5) + 5
	xs := make([]int, n)
	for i := range xs {
		xs[i] = r.IntN(199) - 49
	}
	order := "ascending"
	want := slices.Clone(xs)
	slices.Sort(want)
	if r.IntN(2) == 0 {
		order = "descending"
		slices.Reverse(want)
	}
	strs := func(v []int) string {
		s := make([]string, len(v))
		for i, x := range v {
			s[i] = strconv.Itoa(x)
		}
		return strings.Join(s, ", ")
	}
	p := fmt.Sprintf("Sort these numbers in %s order: %s.", order, strs(xs))
	return Challenge{Prompt: p, Expected: strs(want), check: sortedIs(want)}
}

func sortedIs(want []int) func(string) bool {
	return func(a string) bool {
		// Lists are written without thousands separators: "[1,16,25]" is three numbers.
		var got []float64
		for _, m := range plainNumberRE.FindAllString(a, -1) {
			f, _ := strconv.ParseFloat(m, 64)
			got = append(got, f)
		}
		if len(got) != len(want) {
			return false
		}
		for i, g := range got {
			if g != float64(want[i]) {
				return false
			}
		}
		return true
	}
}

var topics = []string{"the sea", "autumn", "a city at night", "mountains", "rain", "a library", "the moon", "bread"}

func genFormat(r *rand.Rand) Challenge {
	switch r.IntN(3) {
	case 0:
		n := r.IntN(5) + 3
		topic := topics[r.IntN(len(topics))]
		return upperChallenge(n, topic)
	case 1:
		key := pick(r, []string{"count", "total", "score", "level", "size", "index"}, 1)[0]
		return jsonChallenge(key, r.IntN(1000))
	default:
		return repeatChallenge(fruits[r.IntN(len(fruits))], r.IntN(5)+2)
	}
}

func upperChallenge(n int, topic string) Challenge {
	p := fmt.Sprintf("Write exactly %d words about %s, all in uppercase letters, and nothing else.", n, topic)
	return Challenge{Prompt: p, Expected: strings.TrimSpace(strings.Repeat(strings.ToUpper(topic[strings.LastIndex(topic, " ")+1:])+" ", n)), check: func(a string) bool {
		ws := strings.Fields(strings.Map(func(c rune) rune {
			switch {
			case strings.ContainsRune("'’", c):
				return -1 // within a word ("SEA'S", "DON'T"), or quoting
			case strings.ContainsRune(".,;:!?\"“”", c):
				return ' '
			}
			return c
		}, a))
		if len(ws) != n {
			return false
		}
		for _, w := range ws {
			if strings.ToUpper(w) != w || strings.ToLower(w) == w {
				return false
			}
		}
		return true
	}}
}

func jsonChallenge(key string, v int) Challenge {
	p := fmt.Sprintf("Reply with only a JSON object that has the key %q set to the number %d.", key, v)
	return Challenge{Prompt: p, Expected: fmt.Sprintf(`{%q: %d}`, key, v), check: func(a string) bool {
		i, j := strings.Index(a, "{"), strings.LastIndex(a, "}")
		if i < 0 || j < i {
			return false
		}
		var m map[string]any
		if json.Unmarshal([]byte(a[i:j+1]), &m) != nil {
			return false
		}
		f, ok := m[key].(float64)
		return ok && f == float64(v)
	}}
}

func repeatChallenge(w string, n int) Challenge {
	p := fmt.Sprintf("Write the word %q exactly %d times, separated by commas, and nothing else.", w, n)
	return Challenge{Prompt: p, Expected: strings.TrimSuffix(strings.Repeat(w+", ", n), ", "), check: func(a string) bool {
		parts := strings.Split(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(a), ".")), ",")
		if len(parts) != n {
			return false
		}
		for _, p := range parts {
			if !strings.EqualFold(strings.Trim(strings.TrimSpace(p), "\"'“”‘’`"), w) {
				return false
			}
		}
		return true
	}}
}
