package protocol

import (
	"testing"

	"github.com/gotensor/gotensor/synapse"
)

func TestChatIsASynapseWithHashedContent(t *testing.T) {
	ty, err := synapse.TypeOf(&Chat{})
	if err != nil {
		t.Fatal(err)
	}
	a := &Chat{Messages: []Message{{Role: "user", Content: "2+2?"}}}
	b := &Chat{Messages: []Message{{Role: "user", Content: "2+3?"}}}
	ha, err := synapse.BodyHash(a)
	if err != nil {
		t.Fatal(err)
	}
	hb, _ := synapse.BodyHash(b)
	if ha == hb || ha == synapse.EmptyBodyHash {
		t.Fatalf("body hash does not bind the messages: %s %s (%v)", ha, hb, ty)
	}
}
