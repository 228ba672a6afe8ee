package challenge

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Every family: the canonical answer and rephrasings of it pass; empty and
// wrong answers fail; the same seed gives the same challenge.
func TestEveryFamilyAcceptsItsExpectedAnswer(t *testing.T) {
	for _, f := range Families {
		for seed := uint64(0); seed < 300; seed++ {
			c := GenerateFamily(f, seed)
			if again := GenerateFamily(f, seed); again.Prompt != c.Prompt || again.Expected != c.Expected {
				t.Fatalf("%s seed %d is not deterministic", f, seed)
			}
			if !c.Check(c.Expected) {
				t.Fatalf("%s seed %d: expected answer %q rejected\nprompt: %s", f, seed, c.Expected, c.Prompt)
			}
			if c.Check("") || c.Check("   ") || c.Check("I don't know.") {
				t.Fatalf("%s seed %d: empty or evasive answer accepted", f, seed)
			}
		}
	}
}

func TestGenerateCyclesFamilies(t *testing.T) {
	for i, f := range Families {
		if got := Generate(uint64(i + 8*5)).Family; got != f {
			t.Errorf("seed %d: family %s, want %s", i, got, f)
		}
	}
}

// numeric families accept the number however it is written, and only as the last number.
func TestNumericCheckersAcceptFormats(t *testing.T) {
	for _, f := range []Family{Arithmetic, Word, Count} {
		for seed := uint64(0); seed < 50; seed++ {
			c := GenerateFamily(f, seed)
			want, _ := strconv.Atoi(c.Expected)
			for _, a := range []string{
				c.Expected, c.Expected + ".0", "The answer is " + c.Expected + ".", "**" + c.Expected + "**",
				fmt.Sprintf("Let me work it out: 3 + 4 = 7, so the result is %d", want),
				commas(want),
			} {
				if !c.Check(a) {
					t.Errorf("%s %q: rejected %q", f, c.Prompt, a)
				}
			}
			for _, a := range []string{strconv.Itoa(want + 1), c.Expected + " or maybe " + strconv.Itoa(want-1), "forty-two"} {
				if c.Check(a) {
					t.Errorf("%s %q: accepted wrong %q", f, c.Prompt, a)
				}
			}
		}
	}
}

func commas(n int) string {
	s := strconv.Itoa(n)
	if n < 1000 && n > -1000 {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func TestUnitChecker(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		c := GenerateFamily(Unit, seed)
		v, _ := strconv.ParseFloat(c.Expected, 64)
		for _, a := range []string{fmt.Sprintf("%.2f", v), fmt.Sprintf("It is %.3f units", v), fmt.Sprintf("%.2f %s", v, "m")} {
			if !c.Check(a) {
				t.Errorf("%q: rejected %q", c.Prompt, a)
			}
		}
		if c.Check(fmt.Sprintf("%.2f", v+0.5)) {
			t.Errorf("%q: accepted a wrong value", c.Prompt)
		}
	}
}

func TestDateChecker(t *testing.T) {
	for seed := uint64(0); seed < 100; seed++ {
		c := GenerateFamily(Date, seed)
		d, err := time.Parse("2006-01-02", c.Expected)
		if err != nil { // weekday question
			other := "Monday"
			if c.Expected == "Monday" {
				other = "Tuesday"
			}
			for _, a := range []string{c.Expected, "It was a " + strings.ToLower(c.Expected) + "."} {
				if !c.Check(a) {
					t.Errorf("%q: rejected %q", c.Prompt, a)
				}
			}
			if c.Check(other) || c.Check(c.Expected+" or "+other) {
				t.Errorf("%q: accepted a wrong weekday", c.Prompt)
			}
			continue
		}
		for _, l := range []string{"2006-01-02", "2006/01/02", "January 2, 2006", "2 January 2006", "Jan 2 2006", "Monday, January 2, 2006"} {
			a := "The date is " + d.Format(l) + "."
			if !c.Check(a) {
				t.Errorf("%q: rejected %q", c.Prompt, a)
			}
		}
		// The day as an ordinal, as language models often write it.
		th := ordinal(d.Day())
		for _, a := range []string{d.Format("January ") + th + d.Format(", 2006"), th + d.Format(" January 2006"), "It is the " + th + d.Format(" of January 2006."),
			d.Format("Monday, January ") + th + d.Format(", 2006")} {
			if !c.Check(a) {
				t.Errorf("%q: rejected %q", c.Prompt, a)
			}
		}
		if c.Check(d.AddDate(0, 0, 1).Format("January ") + ordinal(d.AddDate(0, 0, 1).Day()) + d.AddDate(0, 0, 1).Format(", 2006")) {
			t.Errorf("%q: accepted the next day as an ordinal", c.Prompt)
		}
		if c.Check(d.AddDate(0, 0, 1).Format("2006-01-02")) {
			t.Errorf("%q: accepted the next day", c.Prompt)
		}
	}
}

// ordinal writes a day of the month as "1st", "2nd", "3rd", "24th".
func ordinal(d int) string {
	switch {
	case d == 1 || d == 21 || d == 31:
		return strconv.Itoa(d) + "st"
	case d == 2 || d == 22:
		return strconv.Itoa(d) + "nd"
	case d == 3 || d == 23:
		return strconv.Itoa(d) + "rd"
	}
	return strconv.Itoa(d) + "th"
}

func TestExtractChecker(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		c := GenerateFamily(Extract, seed)
		for _, a := range []string{c.Expected, strings.ToUpper(c.Expected), "According to the passage, the answer is " + c.Expected + "."} {
			if !c.Check(a) {
				t.Errorf("%q: rejected %q", c.Prompt, a)
			}
		}
		passage := strings.SplitN(strings.SplitN(c.Prompt, "Passage: ", 2)[1], "\n", 2)[0]
		if c.Check(passage) {
			t.Errorf("copying the passage back passed: %q", passage)
		}
	}
}

func TestSortChecker(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		c := GenerateFamily(Sort, seed)
		nums := strings.Split(c.Expected, ", ")
		for _, a := range []string{c.Expected, strings.Join(nums, " "), "[" + strings.Join(nums, ",") + "]", "Sorted: " + strings.Join(nums, " < ")} {
			if !c.Check(a) {
				t.Errorf("%q: rejected %q", c.Prompt, a)
			}
		}
		rev := make([]string, len(nums))
		for i, n := range nums {
			rev[len(nums)-1-i] = n
		}
		if c.Check(strings.Join(rev, ", ")) {
			t.Errorf("%q: accepted the reverse order", c.Prompt)
		}
	}
}

func TestFormatChecker(t *testing.T) {
	seen := map[string]bool{}
	for seed := uint64(0); seed < 60; seed++ {
		c := GenerateFamily(Format, seed)
		switch {
		case strings.Contains(c.Prompt, "uppercase"):
			seen["upper"] = true
			n := len(strings.Fields(c.Expected))
			words := strings.Fields(strings.Repeat("WAVE ", n))
			for _, a := range []string{strings.Join(words, " "), strings.Join(words, " ") + ".", strings.Join(words, ", ")} {
				if !c.Check(a) {
					t.Errorf("%q: rejected %q", c.Prompt, a)
				}
			}
			// A possessive or contraction is one word.
			possessive := strings.Join(append([]string{"THE", "SEA'S"}, words[2:]...), " ")
			if !c.Check(possessive) || !c.Check("‘"+strings.Join(words, " ")+"’") {
				t.Errorf("%q: rejected %q or the words in quotes", c.Prompt, possessive)
			}
			if c.Check(strings.ToLower(strings.Join(words, " "))) || c.Check(strings.Join(words, " ")+" EXTRA") || c.Check(strings.Join(words, " ")+" DON'T") {
				t.Errorf("%q: accepted wrong case or count", c.Prompt)
			}
		case strings.Contains(c.Prompt, "JSON"):
			seen["json"] = true
			body := strings.ReplaceAll(c.Expected, ": ", ":")
			for _, a := range []string{body, "```json\n" + c.Expected + "\n```", "Here it is: " + c.Expected} {
				if !c.Check(a) {
					t.Errorf("%q: rejected %q", c.Prompt, a)
				}
			}
			if c.Check(strings.Replace(c.Expected, ": ", `: "`, 1)+`"`) || c.Check("{}") {
				t.Errorf("%q: accepted a string value or an empty object", c.Prompt)
			}
		default:
			seen["repeat"] = true
			quoted := `"` + strings.ReplaceAll(c.Expected, ", ", `", "`) + `"`
			for _, a := range []string{c.Expected, strings.ReplaceAll(c.Expected, ", ", ","), strings.ToUpper(c.Expected) + ".", quoted} {
				if !c.Check(a) {
					t.Errorf("%q: rejected %q", c.Prompt, a)
				}
			}
			if c.Check(c.Expected + ", " + strings.Split(c.Expected, ", ")[0]) {
				t.Errorf("%q: accepted one too many", c.Prompt)
			}
		}
	}
	if len(seen) != 3 {
		t.Errorf("format kinds seen: %v", seen)
	}
}
