package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// A streamed Chat answer is server-sent events whose data is a ChatDelta, ending with the
// data "[DONE]" or a delta with Done set. The gateway reads it live (ChatEvent per event);
// a signed stream's proof holds its raw bytes, which StreamedCompletion reads the same way.

// ChatEvent reads one event's data of a streamed Chat answer: the delta, and end true at
// "[DONE]" (with an empty delta) or at a delta with Done set. Data that is neither is an
// error: the miner broke the protocol.
func ChatEvent(data []byte) (d ChatDelta, end bool, err error) {
	data = bytes.TrimSpace(data)
	if string(data) == "[DONE]" {
		return ChatDelta{}, true, nil
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return ChatDelta{}, false, fmt.Errorf("miner sent a chunk that is not a ChatDelta: %w", err)
	}
	return d, d.Done, nil
}

// StreamedCompletion is the completion of a streamed Chat answer given as the raw bytes of
// its server-sent events, as a signed stream's proof (protocol.SignedAnswer.Body) holds
// them: the contents of its ChatDelta events up to the end (ChatEvent), or to the last
// complete event when the stream ends without one. The events are split as
// dendrite.Stream.Events splits them (lines ending in "\n", comments skipped, "data" lines
// joined with "\n", an event dispatched at a blank line), so the validator reads the
// completion the gateway relayed.
func StreamedCompletion(raw []byte) (string, error) {
	var sb strings.Builder
	var data [][]byte
	have := false
	for len(raw) > 0 {
		line, rest, complete := bytes.Cut(raw, []byte("\n"))
		raw = rest
		line = bytes.TrimRight(line, "\r")
		switch {
		case len(line) == 0:
			if !complete {
				break
			}
			if have {
				d, end, err := ChatEvent(bytes.Join(data, []byte("\n")))
				if err != nil {
					return "", err
				}
				sb.WriteString(d.Content)
				if end {
					return sb.String(), nil
				}
			}
			data, have = nil, false
		case line[0] == ':': // a comment
		default:
			field, value, _ := bytes.Cut(line, []byte(":"))
			have = true
			if string(field) == "data" {
				data = append(data, bytes.TrimPrefix(value, []byte(" ")))
			}
		}
	}
	return sb.String(), nil
}

// IsStreamedBody reports whether a signed answer's body (SignedAnswer.Body) is a streamed
// answer's raw events rather than a JSON Chat answer, which is an object: its first byte
// other than white space is '{'. An event stream cannot begin so meaningfully (such a line
// is a field no reader knows).
func IsStreamedBody(body []byte) bool {
	b := bytes.TrimLeft(body, " \t\r\n")
	return len(b) == 0 || b[0] != '{'
}
