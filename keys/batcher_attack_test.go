package keys

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// badSigs returns signatures that must all be refused: flipped bits, another key's, garbage,
// wrong lengths, and one for a key that is not a point.
func badSigs(t testing.TB) []SignedMessage {
	batch := batchOf(t, 16, "//Mallory", "//Trudy")
	other, _ := FromURI("//Alice")
	for i := range batch {
		m := &batch[i]
		m.Sig = bytes.Clone(m.Sig)
		switch i % 6 {
		case 0:
			m.Sig[40] ^= 1
		case 1:
			m.Sig[2] ^= 8
		case 2:
			m.Sig, _ = other.Sign(m.Msg)
		case 3:
			m.Sig = bytes.Repeat([]byte{byte(i)}, 64)
		case 4:
			m.Sig = m.Sig[:10]
		case 5:
			m.Msg = []byte("tampered")
		}
	}
	return batch
}

// TestBatchingVerifierFlood: callers whose signatures are all bad flood the verifier from
// many goroutines beside honest ones. Every call returns with Verify's answer, no slot or
// waiting call is left behind, and no goroutine outlives the calls.
func TestBatchingVerifierFlood(t *testing.T) {
	before := runtime.NumGoroutine()
	b := NewBatchingVerifier(NewVerifierCache(4))
	b.slots = 2 // a fixed contention, whatever the machine
	good := batchOf(t, 24, "//Alice", "//Bob", "//Charlie")
	bad := badSigs(t)
	var wg sync.WaitGroup
	var stop atomic.Bool
	var badCalls atomic.Int64
	for g := range 24 {
		wg.Go(func() {
			for i := 0; !stop.Load() || i < 20; i++ {
				m := bad[(g+i)%len(bad)]
				pub := m.Verifier.PublicKey()
				if i%7 == 0 {
					pub = PublicKey{byte(i)} // not a key: never cached, refused
				}
				if b.Verify(pub, m.Msg, m.Sig) {
					t.Errorf("attacker %d: bad signature %d accepted", g, (g+i)%len(bad))
					return
				}
				badCalls.Add(1)
			}
		})
	}
	var honest sync.WaitGroup
	for g := range 8 {
		honest.Go(func() {
			for i := range 60 {
				m := good[(g+i)%len(good)]
				if !b.Verify(m.Verifier.PublicKey(), m.Msg, m.Sig) {
					t.Errorf("honest %d: good signature %d refused", g, (g+i)%len(good))
					return
				}
			}
		})
	}
	honest.Wait()
	stop.Store(true)
	wg.Wait()
	b.mu.Lock()
	busy, waiting := b.busy, len(b.waiting)
	b.mu.Unlock()
	if busy != 0 || waiting != 0 {
		t.Errorf("after the flood: %d slots busy, %d calls waiting; want none", busy, waiting)
	}
	if b.cache.Len() > 4 {
		t.Errorf("the cache holds %d keys, over its capacity 4", b.cache.Len())
	}
	for range 500 { // goroutines that returned may take a moment to exit
		if runtime.NumGoroutine() <= before {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the flood, %d before", n, before)
	}
	t.Logf("%d bad calls, stats %+v", badCalls.Load(), b.Stats())
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBatchingUnderAttack measures the process CPU per verification of 16 honest
// goroutines, each verifying its own key's signatures, with and without 16 goroutines that
// verify only bad signatures (one key each, as registered hostile callers), through a
// BatchingVerifier and, for comparison, checking each alone. Metrics: cpu-µs/sig over all
// calls, cpu-µs/honest (all CPU over honest calls) and attack/honest (the ratio of calls).
func BenchmarkBatchingUnderAttack(b *testing.B) {
	uris := make([]string, 32)
	for i := range uris {
		uris[i] = fmt.Sprintf("//User%d", i)
	}
	honestSigs := batchOf(b, 16*8, uris[:16]...)
	badBatch := batchOf(b, 16*8, uris[16:]...)
	for i := range badBatch {
		badBatch[i].Sig = bytes.Clone(badBatch[i].Sig)
		badBatch[i].Sig[40] ^= 1
	}
	for _, batching := range []bool{true, false} {
		for _, attack := range []bool{false, true} {
			name := fmt.Sprintf("batching=%v/attack=%v", batching, attack)
			b.Run(name, func(b *testing.B) {
				bv := NewBatchingVerifier(NewVerifierCache(64))
				verify := func(m SignedMessage) bool {
					if batching {
						return bv.Verify(m.Verifier.PublicKey(), m.Msg, m.Sig)
					}
					return m.Verifier.Verify(m.Msg, m.Sig)
				}
				var honestN, badN atomic.Int64
				var stop atomic.Bool
				var attackers sync.WaitGroup
				cpu0 := cpuTime()
				if attack {
					for g := range 16 {
						attackers.Go(func() {
							for i := 0; !stop.Load(); i++ {
								if verify(badBatch[g+16*(i%8)]) {
									b.Error("bad signature accepted")
									return
								}
								badN.Add(1)
							}
						})
					}
				}
				for b.Loop() {
					var wg sync.WaitGroup
					for g := range 16 {
						wg.Go(func() {
							for i := range 8 {
								if !verify(honestSigs[g+16*i]) {
									b.Error("good signature refused")
									return
								}
								honestN.Add(1)
							}
						})
					}
					wg.Wait()
				}
				stop.Store(true)
				attackers.Wait()
				cpu := cpuTime() - cpu0
				all := float64(honestN.Load() + badN.Load())
				b.ReportMetric(float64(cpu.Microseconds())/all, "cpu-µs/sig")
				b.ReportMetric(float64(cpu.Microseconds())/float64(honestN.Load()), "cpu-µs/honest")
				b.ReportMetric(float64(badN.Load())/float64(honestN.Load()), "attack/honest")
				st := bv.Stats()
				if batching && st.Alone+st.Batched > 0 {
					b.ReportMetric(float64(st.Batched)/float64(st.Alone+st.Batched), "batched-frac")
				}
			})
		}
	}
}

// TestBatchingVerifierCooldownSkipsSlots: after a failed batch, a call is checked alone by
// its caller, not queued behind busy slots, so that a caller who sends a bad signature now
// and then cannot leave honest checks only half the processors (the slots).
func TestBatchingVerifierCooldownSkipsSlots(t *testing.T) {
	b := NewBatchingVerifier(NewVerifierCache(8))
	bad := batchOf(t, 4, "//Alice")
	bad[1].Sig = bytes.Clone(bad[1].Sig)
	bad[1].Sig[40] ^= 1
	queueBehindSlot(t, b, bad) // one failed batch: the cooldown begins
	if b.cooldown == 0 {
		t.Fatal("no cooldown after a failed batch")
	}
	b.mu.Lock()
	b.busy = b.slots // every slot busy, as on a loaded server
	b.mu.Unlock()
	m := batchOf(t, 1, "//Bob")[0]
	done := make(chan bool, 1)
	go func() { done <- b.Verify(m.Verifier.PublicKey(), m.Msg, m.Sig) }()
	for {
		select {
		case ok := <-done:
			if !ok {
				t.Error("good signature refused")
			}
			b.mu.Lock()
			b.busy = 0
			b.mu.Unlock()
			return
		default:
		}
		b.mu.Lock()
		queued := len(b.waiting)
		b.mu.Unlock()
		if queued > 0 {
			t.Error("during the cooldown, a call waited for a slot")
			b.release() // let it through
			if !<-done {
				t.Error("good signature refused")
			}
			b.mu.Lock()
			b.busy = 0
			b.mu.Unlock()
			return
		}
		runtime.Gosched()
	}
}
