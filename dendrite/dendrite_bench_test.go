package dendrite_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gotensor/gotensor/dendrite"
)

// BenchmarkFanOut256 queries 256 loopback axons that each answer after 100 ms, as a
// validator's round over a full subnet. ms/fanout is the mean wall time of one Query, p50_ms
// and max_ms its median and slowest; the target is ≤ 300 ms for every one (run with
// -benchtime 10x or more). max_x_vs_answer is the slowest over the 100 ms the axons take.
// cpu_ms/fanout is the process's CPU per fan-out, dendrite and the 256 axons together: the
// work that, spread over the cores, lies between the first request and the last arrival.
// Unlike the wall times it does not grow when other processes load the machine.
func BenchmarkFanOut256(b *testing.B) {
	axons := slowAxons(b, 256, 100*time.Millisecond)
	d := newDendrite(b, dendrite.Config{})
	if _, err := d.Query(b.Context(), axons, &Dummy{}, 5*time.Second); err != nil { // connect once
		b.Fatal(err)
	}
	failed := 0
	var took []time.Duration
	cpu0 := processCPU()
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		rs, err := dendrite.QueryAs(b.Context(), d, axons, &Dummy{DummyInput: 1}, 2*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
		for _, r := range rs {
			if !r.Dendrite.IsSuccess() {
				failed++
			}
		}
	}
	cpu := processCPU() - cpu0
	slices.Sort(took)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	mean := float64(b.Elapsed().Milliseconds()) / float64(b.N)
	b.ReportMetric(mean, "ms/fanout")
	b.ReportMetric(ms(took[len(took)/2]), "p50_ms")
	b.ReportMetric(ms(took[len(took)-1]), "max_ms")
	b.ReportMetric(ms(took[len(took)-1])/100, "max_x_vs_answer")
	b.ReportMetric(float64(failed)/float64(b.N), "failed/fanout")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu_ms/fanout")
	}
}

// BenchmarkCall measures complete calls over loopback, dendrite and axon in one process:
// signing, sending, verifying, handling and decoding the answer. calls/s is per process.
func BenchmarkCall(b *testing.B) {
	ax := startAxon(b)
	d := newDendrite(b, dendrite.Config{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := d.Call(b.Context(), ax, &Dummy{DummyInput: 1}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
}
