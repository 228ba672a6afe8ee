package gateway_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/gateway"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/synapse"
)

// With SignedAnswers the organic sample carries each answering miner's signature over its
// answer, which verifies without trusting the gateway and holds the completion returned.
func TestSignedAnswersInOrganicSample(t *testing.T) {
	nw := startNetwork(t)
	cfg := baseConfig(nw, false)
	cfg.SignedAnswers = true
	got := make(chan gateway.Sample, 8)
	cfg.OnSample = func(s gateway.Sample) { got <- s }
	g := startGateway(t, nw, cfg)
	_, key, _ := createKey(t, g, "free")
	if resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", "hello", false)); resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, out)
	}
	var s gateway.Sample
	select {
	case s = <-got:
	case <-time.After(30 * time.Second): // a bound on a hang, not a measurement
		t.Fatal("no sample within 30 s")
	}
	o, ok := gateway.OrganicSampleOf(s)
	if !ok {
		t.Fatalf("no organic sample from %+v", s)
	}
	signed := 0
	for _, a := range o.Answers {
		if a.Failed {
			if a.Signed != nil {
				t.Errorf("a failed answer carries a proof: %+v", a)
			}
			continue
		}
		if a.Hotkey != nw.m1.SS58() || a.Signed == nil {
			t.Fatalf("answer %+v: want miner 1's, signed", a)
		}
		sig, err := keys.ParseSignature(a.Signed.Signature)
		if err != nil {
			t.Fatal(err)
		}
		p := dendrite.ResponseProof{Nonce: a.Signed.Nonce, UUID: a.Signed.UUID, Dendrite: a.Signed.Dendrite, Axon: a.Hotkey, Body: a.Signed.Body, Signature: sig}
		if err := p.Verify(); err != nil {
			t.Fatalf("the forwarded proof does not verify: %v", err)
		}
		if p.Dendrite != nw.gatewayHotkey.SS58() {
			t.Errorf("proof dendrite %s, want the gateway's hotkey %s", p.Dendrite, nw.gatewayHotkey.SS58())
		}
		var c protocol.Chat
		if err := json.Unmarshal(a.Signed.Body, &c); err != nil || c.Completion == nil || *c.Completion != "echo hello" || *c.Completion != a.Completion {
			t.Errorf("signed body %s: %v", a.Signed.Body, err)
		}
		// The sample survives JSON (the forwarder's wire format) with the proof intact.
		b, _ := json.Marshal(a)
		var back protocol.OrganicAnswer
		if err := json.Unmarshal(b, &back); err != nil || back.Signed == nil || string(back.Signed.Body) != string(a.Signed.Body) {
			t.Errorf("round trip %s: %v", b, err)
		}
		signed++
	}
	if signed != 1 {
		t.Fatalf("%d signed answers in %+v", signed, o.Answers)
	}
	g.stop()
}

// With StreamMiners and SignedAnswers a streamed answer is signed too: the organic sample
// carries the miner's signature over the raw stream, from which the validator reads the
// completion (protocol.StreamedCompletion), for a streaming client and for one the gateway
// collects the stream for.
func TestSignedStreamedAnswersInOrganicSample(t *testing.T) {
	nw := startNetwork(t)
	cfg := baseConfig(nw, true)
	cfg.SignedAnswers = true
	got := make(chan gateway.Sample, 8)
	cfg.OnSample = func(s gateway.Sample) { got <- s }
	g := startGateway(t, nw, cfg)
	_, key, _ := createKey(t, g, "free")
	for _, stream := range []bool{true, false} {
		resp, err := http.DefaultClient.Do(chatRequest(t, g.url, key, chatBody("gotensor-echo", "hello there", stream)))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "there") || strings.Contains(string(body), `"error"`) {
			t.Fatalf("stream %v: %d %s", stream, resp.StatusCode, body)
		}
		var s gateway.Sample
		select {
		case s = <-got:
		case <-time.After(30 * time.Second): // a bound on a hang, not a measurement
			t.Fatal("no sample within 30 s")
		}
		o, ok := gateway.OrganicSampleOf(s)
		if !ok || len(o.Answers) != 1 {
			t.Fatalf("stream %v: organic sample %+v %v", stream, o, ok)
		}
		a := o.Answers[0]
		if a.Failed || a.Hotkey != nw.m2.SS58() || a.Signed == nil {
			t.Fatalf("stream %v: answer %+v: want miner 2's, signed", stream, a)
		}
		sig, err := keys.ParseSignature(a.Signed.Signature)
		if err != nil {
			t.Fatal(err)
		}
		p := dendrite.ResponseProof{Nonce: a.Signed.Nonce, UUID: a.Signed.UUID, Dendrite: a.Signed.Dendrite, Axon: a.Hotkey,
			RequestHash: a.Signed.RequestHash, Body: a.Signed.Body, Signature: sig}
		if err := p.Verify(); err != nil || p.Dendrite != nw.gatewayHotkey.SS58() {
			t.Fatalf("stream %v: the forwarded stream proof (dendrite %s) does not verify: %v", stream, p.Dendrite, err)
		}
		// The stream is bound to the request the sample describes.
		if want, err := synapse.BodyHash(o.Request()); err != nil || p.RequestHash != want {
			t.Fatalf("stream %v: proof's request hash %q, the sample's request hashes to %q (%v)", stream, p.RequestHash, want, err)
		}
		text, err := protocol.StreamedCompletion(a.Signed.Body)
		if !protocol.IsStreamedBody(a.Signed.Body) || err != nil || text != "echo hello there " || text != a.Completion {
			t.Errorf("stream %v: signed stream %q reads as %q (%v); the gateway says %q", stream, a.Signed.Body, text, err, a.Completion)
		}
		p.Body = append([]byte(nil), p.Body...)
		p.Body[len(p.Body)-3] ^= 1
		if p.Verify() == nil {
			t.Errorf("stream %v: an altered stream verifies", stream)
		}
	}
	g.stop()
}

func chatRequest(t *testing.T, url, key string, body any) *http.Request {
	t.Helper()
	j, _ := json.Marshal(body)
	req, err := http.NewRequest("POST", url+"/v1/chat/completions", bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	return req
}
