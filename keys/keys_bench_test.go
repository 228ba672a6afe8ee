package keys

import "testing"

// BenchmarkVerify is the baseline the chain's transaction throughput is reported against:
// one sr25519 verification of a 128-byte message (public key decoding included, as a
// transaction check does it).
func BenchmarkVerify(b *testing.B) {
	kp, err := FromURI("//Alice")
	if err != nil {
		b.Fatal(err)
	}
	msg := make([]byte, 128)
	sig, err := kp.Sign(msg)
	if err != nil {
		b.Fatal(err)
	}
	pub := kp.Public()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if !Verify(pub, msg, sig) {
			b.Fatal("signature does not verify")
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "verifies/s")
}

func BenchmarkSign(b *testing.B) {
	kp, err := FromURI("//Alice")
	if err != nil {
		b.Fatal(err)
	}
	msg := make([]byte, 128)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kp.Sign(msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSS58(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSS58(aliceSS58); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifier is Verify with the public key decoded once, as an axon's VerifierCache
// does for callers it has seen.
func BenchmarkVerifier(b *testing.B) {
	kp, err := FromURI("//Alice")
	if err != nil {
		b.Fatal(err)
	}
	msg := make([]byte, 128)
	sig, err := kp.Sign(msg)
	if err != nil {
		b.Fatal(err)
	}
	v, err := kp.Public().Verifier()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !v.Verify(msg, sig) {
			b.Fatal("signature does not verify")
		}
	}
}

func BenchmarkEncodeSS58(b *testing.B) {
	kp, err := FromURI("//Alice")
	if err != nil {
		b.Fatal(err)
	}
	pub := kp.Public()
	b.ReportAllocs()
	for b.Loop() {
		_ = pub.SS58()
	}
}
