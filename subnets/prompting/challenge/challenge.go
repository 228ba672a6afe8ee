// Package challenge generates the prompting subnet's checkable tasks and
// checks answers to them. A Challenge is a pure function of its seed: the
// same seed gives the same prompt and the same expected answer, so a
// validator's round can be replayed and audited. Each family has a checker
// that accepts a correct answer however it is phrased ("42", "42.0",
// "The answer is 42") and rejects empty, wrong or over-broad answers.
package challenge

import (
	"fmt"
	"math/rand/v2"
)

// Family names a kind of challenge.
type Family string

// The challenge families.
const (
	Arithmetic Family = "arithmetic" // an expression, e.g. "What is 37 * 12 + 5?"
	Word       Family = "word"       // a word problem about buying and giving away things
	Unit       Family = "unit"       // a unit conversion, e.g. kilometres to metres
	Date       Family = "date"       // days after or before a date
	Extract    Family = "extract"    // a fact from a generated passage
	Count      Family = "count"      // how often a word occurs in a list
	Sort       Family = "sort"       // numbers in ascending or descending order
	Format     Family = "format"     // a reply of a required shape
)

// Families lists every family in the order Generate cycles through them.
var Families = []Family{Arithmetic, Word, Unit, Date, Extract, Count, Sort, Format}

// Challenge is one task: the prompt sent to a miner and what the checker
// needs to judge the answer.
type Challenge struct {
	Family Family
	Seed   uint64
	Prompt string
	// Expected is the canonical answer (for logs and tests).
	Expected string

	check func(answer string) bool
}

// Check reports whether answer is correct. An empty answer is never correct.
func (c Challenge) Check(answer string) bool {
	if c.check == nil || len(answer) == 0 {
		return false
	}
	return c.check(answer)
}

// Generate makes the challenge for seed: the family is seed mod the number
// of families, the rest of the seed drives its content.
func Generate(seed uint64) Challenge {
	return GenerateFamily(Families[seed%uint64(len(Families))], seed)
}

// GenerateFamily makes a challenge of family f from seed.
func GenerateFamily(f Family, seed uint64) Challenge {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var c Challenge
	switch f {
	case Arithmetic:
		c = genArithmetic(r)
	case Word:
		c = genWord(r)
	case Unit:
		c = genUnit(r)
	case Date:
		c = genDate(r)
	case Extract:
		c = genExtract(r)
	case Count:
		c = genCount(r)
	case Sort:
		c = genSort(r)
	case Format:
		c = genFormat(r)
	default:
		panic(fmt.Sprintf("challenge: unknown family %q", f))
	}
	c.Family, c.Seed = f, seed
	return c
}
