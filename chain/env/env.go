// Package env is what a call handler sees of the block it runs in: height,
// time, proposer, the signer, and the event log it appends to.
package env

import (
	"strconv"

	"github.com/gotensor/gotensor/keys"
)

// Block describes the block being executed.
type Block struct {
	Height   int64
	TimeUnix int64 // block header time, seconds; never the wall clock
	ChainID  string
}

// Attr is one event attribute.
type Attr struct {
	Key, Value string
}

// Event is a typed record of a state change.
type Event struct {
	Type  string
	Attrs []Attr
}

// Events collects events in the order they happen.
type Events struct {
	list []Event
}

// Emit appends an event; attrs alternate key, value.
func (e *Events) Emit(typ string, attrs ...Attr) {
	e.list = append(e.list, Event{Type: typ, Attrs: attrs})
}

// List returns the events so far.
func (e *Events) List() []Event { return e.list }

// Reset drops all events.
func (e *Events) Reset() { e.list = e.list[:0] }

// Str, U64 and Account build attributes.
func Str(k, v string) Attr                    { return Attr{k, v} }
func U64(k string, v uint64) Attr             { return Attr{k, strconv.FormatUint(v, 10)} }
func I64(k string, v int64) Attr              { return Attr{k, strconv.FormatInt(v, 10)} }
func Account(k string, v keys.PublicKey) Attr { return Attr{k, v.SS58()} }

// Env is passed to every call handler.
type Env struct {
	Block  Block
	Signer keys.PublicKey
	Events *Events
	// Author is the account that receives this block's fees (pool swap
	// fees included); HasAuthor is false when the proposer has none, and
	// such fees are recycled.
	Author    keys.PublicKey
	HasAuthor bool
}
