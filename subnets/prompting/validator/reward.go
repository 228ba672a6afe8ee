// Package validator is the prompting subnet's validator, on the neuron runtime
// (neuron.Validator: sampling, moving average per uid, weights with rate limit, permit,
// version key and commit-reveal). Each step it sends every sampled miner its own freshly
// generated task: a checkable challenge, or, when it has a reference backend, now and then
// a free prompt scored by similarity to the reference completion. Real user requests from
// the gateway (Organic) are scored the same way when checkable. Reward = correctness (or
// similarity) × latency factor. docs/prompting-subnet.md explains the reward.
package validator

import (
	"strings"
	"time"
	"unicode"

	"github.com/gotensor/gotensor/subnets/prompting/challenge"
)

// Reward parameters.
const (
	// FastEnough is the latency at or under which an answer gets full credit.
	FastEnough = 500 * time.Millisecond
	// SlowFloor is the latency factor at the timeout: a correct but slow answer
	// still earns half, so correctness dominates and speed breaks ties.
	SlowFloor = 0.5
)

// LatencyFactor is 1 up to FastEnough, falling linearly to SlowFloor at timeout.
func LatencyFactor(elapsed, timeout time.Duration) float64 {
	if elapsed <= FastEnough || timeout <= FastEnough {
		return 1
	}
	x := float64(elapsed-FastEnough) / float64(timeout-FastEnough)
	if x > 1 {
		x = 1
	}
	return 1 - (1-SlowFloor)*x
}

// Score is one answer's reward in [0, 1]: 0 for a wrong, empty or missing
// answer, else the latency factor.
func Score(c challenge.Challenge, answer string, elapsed, timeout time.Duration) float64 {
	if !c.Check(answer) {
		return 0
	}
	return LatencyFactor(elapsed, timeout)
}

// Similarity is the token F1 of answer against reference, in [0, 1]: the harmonic mean of
// the share of the answer's tokens found in the reference and the share of the reference's
// tokens found in the answer, counting repeats (SQuAD's answer metric). Tokens are
// lower-cased words and numbers; punctuation, "a", "an" and "the" are dropped, and
// "1,000" is 1000. Word order does not count, so a correct answer in other words scores
// well; padding lowers precision and a short answer lowers recall, so neither pays. An
// empty answer or reference scores 0.
func Similarity(answer, reference string) float64 {
	a, r := Tokens(answer), Tokens(reference)
	if len(a) == 0 || len(r) == 0 {
		return 0
	}
	count := map[string]int{}
	for _, t := range r {
		count[t]++
	}
	common := 0
	for _, t := range a {
		if count[t] > 0 {
			count[t]--
			common++
		}
	}
	if common == 0 {
		return 0
	}
	p, rc := float64(common)/float64(len(a)), float64(common)/float64(len(r))
	return 2 * p * rc / (p + rc)
}

// Tokens splits s as Similarity compares it.
func Tokens(s string) []string {
	s = strings.ToLower(s)
	var b strings.Builder
	rs := []rune(s)
	for i, c := range rs {
		// A comma or dot between digits belongs to the number: 1,000 and 3.5.
		if (c == ',' || c == '.') && i > 0 && i+1 < len(rs) && unicode.IsDigit(rs[i-1]) && unicode.IsDigit(rs[i+1]) {
			if c == '.' {
				b.WriteRune(c)
			}
			continue
		}
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			b.WriteRune(c)
		} else {
			b.WriteRune(' ')
		}
	}
	var out []string
	for _, w := range strings.Fields(b.String()) {
		if w != "a" && w != "an" && w != "the" {
			out = append(out, w)
		}
	}
	return out
}

// FreeCredit is an answer's credit on a free prompt, in [0, 1]: its Similarity to the
// reference above what echoing the prompt back would get, rescaled so the reference itself
// scores 1 and the echo 0:
//
//	credit = max(0, (sim(answer, ref) − sim(prompt, ref)) / (1 − sim(prompt, ref)))
//
// A reference that merely restates the prompt (echo similarity 1) cannot tell answers
// apart, and every answer gets 0.
func FreeCredit(prompt, answer, reference string) float64 {
	echo := Similarity(prompt, reference)
	if echo >= 1 {
		return 0
	}
	return max(0, (Similarity(answer, reference)-echo)/(1-echo))
}

// FreeScore is one free-prompt answer's reward: FreeCredit × the latency factor.
func FreeScore(prompt, answer, reference string, elapsed, timeout time.Duration) float64 {
	return FreeCredit(prompt, answer, reference) * LatencyFactor(elapsed, timeout)
}
