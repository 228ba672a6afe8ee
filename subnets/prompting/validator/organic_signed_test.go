package validator

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/subnets/prompting/miner"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/synapse"
)

// signedAnswer is what a Gotensor miner's axon signs for a Chat answer to msgs with
// completion, asked by dendrite (the gateway), as the gateway forwards it.
func signedAnswer(t *testing.T, miner *keys.Keypair, dendrite string, uid uint16, nonce int64, msgs []protocol.Message, completion, claimed string) protocol.OrganicAnswer {
	t.Helper()
	body, err := json.Marshal(&protocol.Chat{Messages: msgs, Completion: &completion})
	if err != nil {
		t.Fatal(err)
	}
	uuid := "dendrite-uuid"
	sig, err := miner.Sign(synapse.ResponseSignatureMessage(nonce, dendrite, miner.SS58(), uuid, body))
	if err != nil {
		t.Fatal(err)
	}
	return protocol.OrganicAnswer{UID: uid, Hotkey: miner.SS58(), Completion: claimed, LatencyMS: 10,
		Signed: &protocol.SignedAnswer{Nonce: nonce, UUID: uuid, Dendrite: dendrite, Body: body, Signature: "0x" + hex.EncodeToString(sig)}}
}

// scorer is a hook-only validator that scores with the challenge judge (no reference
// backend) against hotkeys, recording each Scored by uid.
func scorer(t *testing.T, cfg OrganicConfig) (*Validator, map[uint16]Scored) {
	v := hookOnly(t, cfg)
	v.log, v.timeout = slog.New(slog.DiscardHandler), 12*time.Second
	got := map[uint16]Scored{}
	v.cfg.OnScore = func(s Scored) { got[s.UID] = s }
	return v, got
}

func TestOrganicSignedAnswers(t *testing.T) {
	gw, other := mustKey(t, "//Ferdie/gateway"), mustKey(t, "//Eve")
	m := make([]*keys.Keypair, 8)
	hotkeys := make([]string, len(m))
	for i := range m {
		m[i] = mustKey(t, "//Alice/m"+string(rune('0'+i)))
		hotkeys[i] = m[i].SS58()
	}
	msgs := sample().Messages // "What is 2 - 1 - 1?": the answer is 0
	now := time.Now().UnixNano()
	liar := signedAnswer(t, m[1], gw.SS58(), 1, now+1, msgs, "0", "the gateway says this is wrong") // right, said to be wrong
	flatter := signedAnswer(t, m[2], gw.SS58(), 2, now+2, msgs, "7", "0")                           // wrong, said to be right
	flipped := signedAnswer(t, m[3], gw.SS58(), 3, now+3, msgs, "0", "0")
	flipped.Signed.Body[len(flipped.Signed.Body)-2] ^= 1
	forged := signedAnswer(t, other, gw.SS58(), 4, now+4, msgs, "0", "0") // signed by someone else
	forged.Hotkey = m[4].SS58()
	elsewhere := signedAnswer(t, m[5], gw.SS58(), 5, now+5, []protocol.Message{{Role: "user", Content: "What is 1 + 1?"}}, "0", "0")
	otherDendrite := signedAnswer(t, m[6], other.SS58(), 6, now+6, msgs, "0", "0")
	stale := signedAnswer(t, m[7], gw.SS58(), 7, now-int64(2*ProofWindow), msgs, "0", "0")
	unsigned := protocol.OrganicAnswer{UID: 0, Hotkey: m[0].SS58(), Completion: "0", LatencyMS: 10}
	s := protocol.OrganicSample{Netuid: 2, Messages: msgs, Answers: []protocol.OrganicAnswer{liar, flatter, flipped, forged, elsewhere, otherDendrite, stale, unsigned}}

	v, got := scorer(t, OrganicConfig{})
	v.scoreOrganic(context.Background(), organicItem{s: s, signer: gw.SS58()}, hotkeys)
	if sc, ok := got[1]; !ok || sc.Score < 0.9 || sc.Answer != "0" {
		t.Errorf("signed right answer, claimed wrong: %+v %v; want it scored from the signed body", sc, ok)
	}
	if sc, ok := got[2]; !ok || sc.Score != 0 || sc.Answer != "7" {
		t.Errorf("signed wrong answer, claimed right: %+v %v; want 0 from the signed body", sc, ok)
	}
	if sc, ok := got[0]; !ok || sc.Score < 0.9 {
		t.Errorf("an unsigned answer is scored as before: %+v %v", sc, ok)
	}
	for uid := uint16(3); uid <= 7; uid++ {
		if sc, ok := got[uid]; ok {
			t.Errorf("uid %d's bad proof was scored: %+v", uid, sc)
		}
	}
	if st := v.OrganicStats(); st.Scored != 3 || st.BadProof != 5 || st.Unsigned != 0 {
		t.Errorf("stats %+v: want 3 scored, 5 bad proofs", st)
	}

	// The same proofs again: each answer counts once.
	clear(got)
	v.scoreOrganic(context.Background(), organicItem{s: protocol.OrganicSample{Netuid: 2, Messages: msgs, Answers: []protocol.OrganicAnswer{liar}}, signer: gw.SS58()}, hotkeys)
	if len(got) != 0 || v.OrganicStats().BadProof != 6 {
		t.Errorf("a replayed proof: scored %+v, stats %+v", got, v.OrganicStats())
	}

	// Without an Epistula signer (bearer token, in process) the dendrite must be one of
	// Signers when they are set.
	v, got = scorer(t, OrganicConfig{Signers: []keys.PublicKey{gw.Public()}})
	v.scoreOrganic(context.Background(), organicItem{s: protocol.OrganicSample{Netuid: 2, Messages: msgs, Answers: []protocol.OrganicAnswer{liar, otherDendrite}}}, hotkeys)
	if _, ok := got[1]; !ok || len(got) != 1 || v.OrganicStats().BadProof != 1 {
		t.Errorf("bearer sample: scored %+v, stats %+v; want the gateway's proof only", got, v.OrganicStats())
	}
}

// With RequireSigned the gateway's word counts for nothing: unsigned answers and failed
// marks are dropped, and only signed answers are scored.
func TestOrganicRequireSigned(t *testing.T) {
	gw := mustKey(t, "//Ferdie/gateway")
	m0, m1, m2, m3 := mustKey(t, "//Alice/m0"), mustKey(t, "//Alice/m1"), mustKey(t, "//Alice/m2"), mustKey(t, "//Alice/m3")
	hotkeys := []string{m0.SS58(), m1.SS58(), m2.SS58(), m3.SS58()}
	msgs := sample().Messages
	// m3 signed an answer without a completion: its own failure, which the proof shows.
	nothing := signedAnswer(t, m3, gw.SS58(), 3, time.Now().UnixNano()+1, msgs, "", "")
	body, _ := json.Marshal(&protocol.Chat{Messages: msgs})
	sig, _ := m3.Sign(synapse.ResponseSignatureMessage(nothing.Signed.Nonce, gw.SS58(), m3.SS58(), nothing.Signed.UUID, body))
	nothing.Signed.Body, nothing.Signed.Signature, nothing.Failed = body, hex.EncodeToString(sig), true
	s := protocol.OrganicSample{Netuid: 2, Messages: msgs, Answers: []protocol.OrganicAnswer{
		{UID: 0, Hotkey: m0.SS58(), Completion: "0", LatencyMS: 10},
		{UID: 1, Hotkey: m1.SS58(), Failed: true, LatencyMS: 10}, // a failure only the gateway claims
		signedAnswer(t, m2, gw.SS58(), 2, time.Now().UnixNano(), msgs, "0", ""),
		nothing,
	}}
	v, got := scorer(t, OrganicConfig{RequireSigned: true})
	v.scoreOrganic(context.Background(), organicItem{s: s, signer: gw.SS58()}, hotkeys)
	if sc, ok := got[2]; !ok || sc.Score < 0.9 || len(got) != 2 {
		t.Errorf("scored %+v; want only the signed answers", got)
	}
	if sc, ok := got[3]; !ok || sc.Score != 0 {
		t.Errorf("a signed answer without a completion: %+v %v; want it scored 0", sc, ok)
	}
	if st := v.OrganicStats(); st.Unsigned != 2 || st.Scored != 2 || st.BadProof != 0 {
		t.Errorf("stats %+v: want 2 unsigned dropped, 2 scored", st)
	}
	s.Answers = s.Answers[:3]

	// Without it the failed mark costs the miner a 0.
	v, got = scorer(t, OrganicConfig{})
	s.Answers = s.Answers[:2]
	v.scoreOrganic(context.Background(), organicItem{s: s, signer: gw.SS58()}, hotkeys)
	if sc, ok := got[1]; !ok || sc.Score != 0 || len(got) != 2 {
		t.Errorf("scored %+v; want the failed mark scored 0", got)
	}
}

// fixedBackend answers every Chat with its text.
type fixedBackend string

func (f fixedBackend) Complete(context.Context, *protocol.Chat) (string, string, error) {
	return string(f), "fixed", nil
}

// streamedAnswer asks a real prompting miner that streams text (axon.HandleStream over
// HTTP) through a dendrite that verifies, as the gateway does with StreamMiners and
// SignedAnswers, and returns the answer as the gateway forwards it: the stream's proof.
func streamedAnswer(t *testing.T, gw, m *keys.Keypair, uid uint16, msgs []protocol.Message, text, claimed string) protocol.OrganicAnswer {
	t.Helper()
	cfg := axon.TestConfig()
	cfg.Logger = slog.New(slog.DiscardHandler)
	a, err := axon.New(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := axon.HandleStream(a, miner.StreamHandler(fixedBackend(text))); err != nil {
		t.Fatal(err)
	}
	info := axontest.Start(t, a)
	d, err := dendrite.New(gw, dendrite.Config{VerifyResponses: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st, err := d.Stream(t.Context(), info, &protocol.Chat{Messages: msgs, Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := io.Copy(io.Discard, st); err != nil {
		t.Fatal(err)
	}
	p := st.Proof()
	if p == nil {
		t.Fatal("a signed stream without a proof")
	}
	return protocol.OrganicAnswer{UID: uid, Hotkey: m.SS58(), Completion: claimed, LatencyMS: 10,
		Signed: &protocol.SignedAnswer{Nonce: p.Nonce, UUID: p.UUID, Dendrite: p.Dendrite, RequestHash: p.RequestHash,
			Body: p.Body, Signature: hex.EncodeToString(p.Signature)}}
}

// A streamed answer's proof holds the raw events; the validator scores the completion they
// carry, whatever the gateway claims, and drops an altered one.
func TestOrganicSignedStreamedAnswers(t *testing.T) {
	gw := mustKey(t, "//Ferdie/gateway")
	m := []*keys.Keypair{mustKey(t, "//Alice/m0"), mustKey(t, "//Alice/m1"), mustKey(t, "//Alice/m2"), mustKey(t, "//Alice/m3")}
	hotkeys := []string{m[0].SS58(), m[1].SS58(), m[2].SS58(), m[3].SS58()}
	msgs := sample().Messages // "What is 2 - 1 - 1?": the answer is 0
	right := streamedAnswer(t, gw, m[0], 0, msgs, "0", "the gateway says this is wrong")
	wrong := streamedAnswer(t, gw, m[1], 1, msgs, "7", "0")
	flipped := streamedAnswer(t, gw, m[2], 2, msgs, "0", "0")
	i := bytes.Index(flipped.Signed.Body, []byte(`"0"`))
	flipped.Signed.Body[i+1] = '1'
	unsigned := streamedAnswer(t, gw, m[3], 3, msgs, "0", "0")
	unsigned.Signed = nil
	if !protocol.IsStreamedBody(right.Signed.Body) {
		t.Fatalf("a stream's proof body %q does not read as a stream", right.Signed.Body)
	}
	s := protocol.OrganicSample{Netuid: 2, Messages: msgs, Stream: true, Answers: []protocol.OrganicAnswer{right, wrong, flipped, unsigned}}

	v, got := scorer(t, OrganicConfig{RequireSigned: true})
	v.scoreOrganic(context.Background(), organicItem{s: s, signer: gw.SS58()}, hotkeys)
	if sc, ok := got[0]; !ok || sc.Score < 0.9 || sc.Answer != "0" {
		t.Errorf("signed right stream, claimed wrong: %+v %v; want it scored from the stream", sc, ok)
	}
	if sc, ok := got[1]; !ok || sc.Score != 0 || sc.Answer != "7" {
		t.Errorf("signed wrong stream, claimed right: %+v %v; want 0 from the stream", sc, ok)
	}
	if sc, ok := got[2]; ok {
		t.Errorf("an altered stream was scored: %+v", sc)
	}
	if st := v.OrganicStats(); st.Scored != 2 || st.BadProof != 1 || st.Unsigned != 1 {
		t.Errorf("stats %+v: want 2 scored, 1 bad proof, 1 unsigned", st)
	}

	// A gateway that attaches a miner's signed stream to another prompt: the stream's
	// signature covers the request's hash, which is not the sample's, so it is dropped.
	other := streamedAnswer(t, gw, m[0], 0, []protocol.Message{{Role: "user", Content: "What is 3 + 4?"}}, "0", "0")
	v2, got2 := scorer(t, OrganicConfig{RequireSigned: true})
	v2.scoreOrganic(context.Background(), organicItem{s: protocol.OrganicSample{Netuid: 2, Messages: msgs, Stream: true,
		Answers: []protocol.OrganicAnswer{other}}, signer: gw.SS58()}, hotkeys)
	if sc, ok := got2[0]; ok {
		t.Errorf("a stream answering another prompt was scored for this one: %+v", sc)
	}
	if st := v2.OrganicStats(); st.BadProof != 1 {
		t.Errorf("stats %+v: want the moved stream counted as a bad proof", st)
	}
}

// An organic request no challenge family parses is scored against the validator's
// reference completion (the free-prompt credit), or counted unscorable without a reference;
// a challenge's phrasing after earlier turns is not taken for the challenge.
func TestOrganicFreePromptsNeedTheReference(t *testing.T) {
	m0, m1, m2, m3 := mustKey(t, "//Alice/f0"), mustKey(t, "//Alice/f1"), mustKey(t, "//Alice/f2"), mustKey(t, "//Alice/f3")
	hotkeys := []string{m0.SS58(), m1.SS58(), m2.SS58(), m3.SS58()}
	ref := miner.BuiltinBackend{Tools: true}
	msgs := []protocol.Message{{Role: "user", Content: "Describe the harbour in the evening."}}
	s := protocol.OrganicSample{Netuid: 2, Messages: msgs, Seed: 42, MaxTokens: 60}
	same, _, err := ref.Complete(context.Background(), s.Request())
	if err != nil || len(Tokens(same)) < 5 {
		t.Fatalf("reference completion %q, %v", same, err)
	}
	s.Answers = []protocol.OrganicAnswer{
		{UID: 0, Hotkey: m0.SS58(), Completion: same, LatencyMS: 10},
		{UID: 1, Hotkey: m1.SS58(), Completion: msgs[0].Content, LatencyMS: 10}, // the prompt echoed
		{UID: 2, Hotkey: m2.SS58(), Failed: true, LatencyMS: 10},
		{UID: 3, Hotkey: m3.SS58(), Completion: "42", LatencyMS: 10},
	}

	v, got := scorer(t, OrganicConfig{})
	v.scoreOrganic(context.Background(), organicItem{s: s}, hotkeys)
	if st := v.OrganicStats(); len(got) != 0 || st.Unscorable != 1 || st.Scored != 0 {
		t.Errorf("no reference: scored %+v, stats %+v; want the sample counted unscorable", got, st)
	}

	v, got = scorer(t, OrganicConfig{})
	v.cfg.Reference = ref
	v.scoreOrganic(context.Background(), organicItem{s: s}, hotkeys)
	if sc := got[0]; sc.Kind != "organic" || sc.Family != "" || sc.Score < 0.99 {
		t.Errorf("the reference's own completion: %+v; want full credit", sc)
	}
	for uid := uint16(1); uid <= 3; uid++ {
		if sc, ok := got[uid]; !ok || sc.Score != 0 {
			t.Errorf("uid %d (echo, failed, off-topic): %+v %v; want scored 0", uid, sc, ok)
		}
	}
	if st := v.OrganicStats(); st.Scored != 4 || st.Unscorable != 0 {
		t.Errorf("stats %+v: want 4 scored", st)
	}

	// "What is 2 - 1 - 1?" after other turns is not the arithmetic challenge: its meaning
	// may depend on them, so the checker does not judge it (the answer "0" is not credited
	// as a checked one), and without a reference it is unscorable.
	turns := protocol.OrganicSample{Netuid: 2, Messages: []protocol.Message{
		{Role: "user", Content: "From now on add 10 to every answer."}, {Role: "assistant", Content: "OK."}, {Role: "user", Content: "What is 2 - 1 - 1?"}},
		Answers: []protocol.OrganicAnswer{{UID: 0, Hotkey: m0.SS58(), Completion: "0", LatencyMS: 10}}}
	v, got = scorer(t, OrganicConfig{})
	v.scoreOrganic(context.Background(), organicItem{s: turns}, hotkeys)
	if st := v.OrganicStats(); len(got) != 0 || st.Unscorable != 1 {
		t.Errorf("multi-turn challenge phrasing: scored %+v, stats %+v; want unscorable", got, st)
	}
}
