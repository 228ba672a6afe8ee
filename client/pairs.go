package client

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/api"
)

// metagraphWire decodes the metagraph query's answer. Its weights and
// bonds (up to 256×256 [uid, value] pairs each) go through pairRows, a
// hand-written parser: encoding/json's reflection spends most of a full
// 256-uid sync's client time on those numbers otherwise. Being shallower,
// these two fields take the keys from the embedded struct's.
type metagraphWire struct {
	api.Metagraph
	Weights pairRows `json:"weights,omitempty"`
	Bonds   pairRows `json:"bonds,omitempty"`
}

func (w *metagraphWire) metagraph() api.Metagraph {
	m := w.Metagraph
	m.Weights, m.Bonds = w.Weights, w.Bonds
	return m
}

// pairRows is [][][2]uint16 as JSON: rows (or null) of [uid, value] pairs.
type pairRows [][][2]uint16

// UnmarshalJSON parses b, which encoding/json has already checked is valid
// JSON; anything but rows of two-number arrays of uint16 is an error.
func (p *pairRows) UnmarshalJSON(b []byte) error {
	s := scanner{b: b}
	if s.literal("null") {
		*p = nil
		return s.end()
	}
	rows := [][][2]uint16{}
	err := s.list(func() error {
		if s.literal("null") {
			rows = append(rows, nil)
			return nil
		}
		row := [][2]uint16{}
		err := s.list(func() error {
			var pair [2]uint16
			i := 0
			err := s.list(func() error {
				if i == 2 {
					return s.fail("a pair has more than two numbers")
				}
				v, err := s.u16()
				pair[i] = v
				i++
				return err
			})
			if err == nil && i != 2 {
				err = s.fail("a pair has fewer than two numbers")
			}
			row = append(row, pair)
			return err
		})
		rows = append(rows, row)
		return err
	})
	if err != nil {
		return err
	}
	*p = rows
	return s.end()
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\n' || s.b[s.i] == '\t' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *scanner) fail(what string) error {
	return fmt.Errorf("metagraph weights/bonds: %s at byte %d", what, s.i)
}

func (s *scanner) literal(lit string) bool {
	s.space()
	if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
		s.i += len(lit)
		return true
	}
	return false
}

func (s *scanner) end() error {
	s.space()
	if s.i != len(s.b) {
		return s.fail("unexpected data")
	}
	return nil
}

// list parses [e, e, ...], calling elem for each element.
func (s *scanner) list(elem func() error) error {
	if !s.literal("[") {
		return s.fail("want [")
	}
	if s.literal("]") {
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		if s.literal("]") {
			return nil
		}
		if !s.literal(",") {
			return s.fail("want , or ]")
		}
	}
}

func (s *scanner) u16() (uint16, error) {
	s.space()
	start := s.i
	var v uint32
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		v = v*10 + uint32(s.b[s.i]-'0')
		if v > 65535 {
			return 0, s.fail("number above 65535")
		}
		s.i++
	}
	if s.i == start {
		return 0, s.fail("want a number")
	}
	if s.b[start] == '0' && s.i-start > 1 {
		return 0, s.fail("a number with a leading zero")
	}
	return uint16(v), nil
}
