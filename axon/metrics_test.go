package axon_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/synapse"
)

func TestMetrics(t *testing.T) {
	axontest.CheckLeaks(t)
	reg := prometheus.NewRegistry()
	_, ax := newAxon(t, func(c *axon.Config) { c.Metrics = reg })
	c := newClient(t, alice, ax, "")
	c.call(&Dummy{DummyInput: 1}, synapse.RequestOptions{})
	c.call(&Dummy{DummyInput: 2}, synapse.RequestOptions{})
	body, h := c.prepare(&Dummy{}, synapse.RequestOptions{})
	c.post("Missing", body, h)
	newClient(t, dave, ax, "").call(&Dummy{}, synapse.RequestOptions{})

	for _, tt := range []struct {
		metric string
		labels []string
		want   float64
	}{
		{"axon_requests_total", []string{"200", "Dummy"}, 2}, // labels in name order: code, synapse
		{"axon_requests_total", []string{"404", "unknown"}, 1},
		{"axon_requests_total", []string{"403", "Dummy"}, 1},
		{"axon_rejections_total", []string{"unknown_synapse"}, 1},
		{"axon_rejections_total", []string{"not_registered"}, 1},
	} {
		got := gather(t, reg, tt.metric, tt.labels)
		if got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.metric, tt.labels, got, tt.want)
		}
	}
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range fams {
		names[f.GetName()] = true
	}
	for _, n := range []string{"axon_request_duration_seconds", "axon_handlers_running", "axon_queue_waiting"} {
		if !names[n] {
			t.Errorf("metric %s missing", n)
		}
	}
	// A second axon on the same registerer is refused with advice.
	cfg := axon.TestConfig()
	cfg.Metrics = reg
	if _, err := axon.New(ferdie, cfg); err == nil {
		t.Error("two axons registered the same metrics")
	}
}

// gather returns the value of the counter series of metric with the label values.
func gather(t *testing.T, g prometheus.Gatherer, metric string, values []string) float64 {
	t.Helper()
	fams, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != metric {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) != len(values) {
				continue
			}
			for i, l := range m.GetLabel() {
				if l.GetValue() != values[i] {
					continue next
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}
