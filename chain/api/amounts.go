package api

import (
	"fmt"
	"strconv"
)

// Amounts is a column of RAO amounts (the metagraph's stakes and
// emissions). Like every other amount in this API it is written as JSON
// strings: amounts pass 2⁵³ RAO (about 9.007 million TAO), past which a
// JavaScript number, or any float64 JSON decoder, silently rounds them.
// It reads strings or plain numbers (files written before it was a string
// column), and null as a nil column.
type Amounts []uint64

// MarshalJSON writes the column as an array of decimal strings.
func (a Amounts) MarshalJSON() ([]byte, error) { return AppendAmounts(nil, a), nil }

// AppendAmounts appends a's JSON to b, exactly as MarshalJSON writes it.
func AppendAmounts(b []byte, a Amounts) []byte {
	if a == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, x := range a {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = strconv.AppendUint(b, x, 10)
		b = append(b, '"')
	}
	return append(b, ']')
}

// UnmarshalJSON reads an array whose elements are decimal strings or
// non-negative integers, each at most 2⁶⁴−1.
func (a *Amounts) UnmarshalJSON(b []byte) error {
	i := skipSpace(b, 0)
	if len(b)-i >= 4 && string(b[i:i+4]) == "null" && skipSpace(b, i+4) == len(b) {
		*a = nil
		return nil
	}
	if i >= len(b) || b[i] != '[' {
		return fmt.Errorf("amounts: want an array of RAO amounts, got %.20q", b)
	}
	out := Amounts{}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		*a = out
		return nil
	}
	for {
		quoted := i < len(b) && b[i] == '"'
		if quoted {
			i++
		}
		j := i
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		v, err := strconv.ParseUint(string(b[i:j]), 10, 64)
		if err != nil || (j-i > 1 && b[i] == '0') {
			return fmt.Errorf("amounts: element %d is not a RAO amount (a whole number from 0 to 18446744073709551615): %.24q", len(out), b[i:])
		}
		if quoted {
			if j >= len(b) || b[j] != '"' {
				return fmt.Errorf("amounts: element %d: unterminated or non-numeric string", len(out))
			}
			j++
		}
		out = append(out, v)
		i = skipSpace(b, j)
		if i >= len(b) {
			return fmt.Errorf("amounts: array not closed")
		}
		if b[i] == ']' {
			break
		}
		if b[i] != ',' {
			return fmt.Errorf("amounts: want ',' or ']' after element %d, got %q", len(out)-1, b[i])
		}
		i = skipSpace(b, i+1)
	}
	if skipSpace(b, i+1) != len(b) {
		return fmt.Errorf("amounts: data after the array")
	}
	*a = out
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}
