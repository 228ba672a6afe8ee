package miner

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// A tool answers the prompts it recognises; ok is false for the others.
// Tools are what a real miner wires to its model (function calling): a
// calculator, a unit table, a calendar, a counter and a sorter.
type tool func(prompt string) (answer string, ok bool)

// tools are tried in order.
var tools = []tool{wordProblem, calculator, units, dates, counter, sorter}

// useTools returns the first tool's answer.
func useTools(prompt string) (string, bool) {
	for _, t := range tools {
		if a, ok := t(prompt); ok {
			return a, true
		}
	}
	return "", false
}

var exprRE = regexp.MustCompile(`(?i)what is ([-+*/()\d\s.]+)\?`)

func calculator(p string) (string, bool) {
	m := exprRE.FindStringSubmatch(p)
	if m == nil {
		return "", false
	}
	v, err := Eval(m[1])
	if err != nil {
		return "", false
	}
	return "The answer is " + strconv.FormatFloat(v, 'f', -1, 64) + ".", true
}

// Eval evaluates an arithmetic expression of numbers, + - * / and
// parentheses with the usual precedence.
func Eval(expr string) (float64, error) {
	p := &parser{s: strings.ReplaceAll(expr, " ", "")}
	v, err := p.sum()
	if err == nil && p.i != len(p.s) {
		err = fmt.Errorf("calculator: unexpected %q", p.s[p.i:])
	}
	return v, err
}

type parser struct {
	s string
	i int
}

func (p *parser) sum() (float64, error) {
	v, err := p.product()
	for err == nil && p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
		op := p.s[p.i]
		p.i++
		var w float64
		if w, err = p.product(); op == '+' {
			v += w
		} else {
			v -= w
		}
	}
	return v, err
}

func (p *parser) product() (float64, error) {
	v, err := p.atom()
	for err == nil && p.i < len(p.s) && (p.s[p.i] == '*' || p.s[p.i] == '/') {
		op := p.s[p.i]
		p.i++
		var w float64
		if w, err = p.atom(); op == '*' {
			v *= w
		} else if w == 0 {
			err = fmt.Errorf("calculator: division by zero")
		} else {
			v /= w
		}
	}
	return v, err
}

func (p *parser) atom() (float64, error) {
	if p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		v, err := p.sum()
		if err != nil || p.i >= len(p.s) || p.s[p.i] != ')' {
			return 0, fmt.Errorf("calculator: unbalanced parentheses")
		}
		p.i++
		return v, nil
	}
	if p.i < len(p.s) && p.s[p.i] == '-' {
		p.i++
		v, err := p.atom()
		return -v, err
	}
	j := p.i
	for j < len(p.s) && (p.s[j] == '.' || unicode.IsDigit(rune(p.s[j]))) {
		j++
	}
	v, err := strconv.ParseFloat(p.s[p.i:j], 64)
	if err != nil {
		return 0, fmt.Errorf("calculator: expected a number at %q", p.s[p.i:])
	}
	p.i = j
	return v, nil
}

var wordRE = regexp.MustCompile(`has (\d+) \w+\. \w+ buys (\d+) bags with (\d+) \w+ in each bag, then gives (\d+)`)

// wordProblem turns the phrases it knows into arithmetic for the calculator.
func wordProblem(p string) (string, bool) {
	m := wordRE.FindStringSubmatch(p)
	if m == nil {
		return "", false
	}
	v, err := Eval(fmt.Sprintf("%s + %s * %s - %s", m[1], m[2], m[3], m[4]))
	if err != nil {
		return "", false
	}
	return fmt.Sprintf("%s + %s × %s − %s = %g", m[1], m[2], m[3], m[4], v), true
}

var unitFactors = map[[2]string]float64{
	{"kilometres", "metres"}: 1000, {"metres", "centimetres"}: 100, {"kilograms", "grams"}: 1000,
	{"hours", "minutes"}: 60, {"minutes", "seconds"}: 60, {"inches", "centimetres"}: 2.54,
	{"miles", "kilometres"}: 1.609344, {"litres", "millilitres"}: 1000, {"days", "hours"}: 24,
}

var unitRE = regexp.MustCompile(`(?i)convert ([\d.]+) (\w+) to (\w+)`)

func units(p string) (string, bool) {
	m := unitRE.FindStringSubmatch(p)
	if m == nil {
		return "", false
	}
	x, err := strconv.ParseFloat(m[1], 64)
	f, ok := unitFactors[[2]string{strings.ToLower(m[2]), strings.ToLower(m[3])}]
	if err != nil || !ok {
		return "", false
	}
	return fmt.Sprintf("%.2f %s", x*f, m[3]), true
}

var (
	dateDeltaRE = regexp.MustCompile(`(\d+) days (after|before) (\d{4}-\d{2}-\d{2})`)
	weekdayRE   = regexp.MustCompile(`day of the week was (\d{4}-\d{2}-\d{2})`)
)

func dates(p string) (string, bool) {
	if m := weekdayRE.FindStringSubmatch(p); m != nil {
		t, err := time.Parse("2006-01-02", m[1])
		if err != nil {
			return "", false
		}
		return t.Weekday().String(), true
	}
	m := dateDeltaRE.FindStringSubmatch(p)
	if m == nil {
		return "", false
	}
	n, _ := strconv.Atoi(m[1])
	t, err := time.Parse("2006-01-02", m[3])
	if err != nil {
		return "", false
	}
	if m[2] == "before" {
		n = -n
	}
	return t.AddDate(0, 0, n).Format("January 2, 2006"), true
}

var countRE = regexp.MustCompile(`word "(\w+)" appear in this list: ([\w, ]+)\?`)

func counter(p string) (string, bool) {
	m := countRE.FindStringSubmatch(p)
	if m == nil {
		return "", false
	}
	k := 0
	for _, w := range strings.Split(m[2], ",") {
		if strings.TrimSpace(w) == m[1] {
			k++
		}
	}
	return fmt.Sprintf("%q appears %d times.", m[1], k), true
}

var sortRE = regexp.MustCompile(`(?i)sort these numbers in (ascending|descending) order: ([-\d, ]+)`)

func sorter(p string) (string, bool) {
	m := sortRE.FindStringSubmatch(p)
	if m == nil {
		return "", false
	}
	var xs []int
	for _, f := range strings.Split(m[2], ",") {
		if x, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
			xs = append(xs, x)
		}
	}
	slices.Sort(xs)
	if strings.EqualFold(m[1], "descending") {
		slices.Reverse(xs)
	}
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", "), true
}
