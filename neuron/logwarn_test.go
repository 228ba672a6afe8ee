package neuron_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/internal/logtest"
	"github.com/gotensor/gotensor/neuron"
)

// warnings returns the messages of the WARN records in b whose text contains sub.
func warnings(t *testing.T, b *logtest.Buffer, sub string) []string {
	t.Helper()
	recs, err := logtest.Records[struct{ Msg string }](b, "WARN")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		if strings.Contains(strings.ToLower(r.Msg), sub) {
			out = append(out, r.Msg)
		}
	}
	return out
}

// A miner without --axon.external_ip warns once, naming the flag; the axon's own warning,
// which names the Go field Config.ExternalIP, is for axon's library users only.
func TestMinerNoExternalIPHintOnce(t *testing.T) {
	validator, miner := key(t, "//Validator"), key(t, "//M2")
	f := newFakeChain(t, validator.Public(), false)
	f.hotkeys[2] = miner.Public()

	var sink logtest.Buffer
	cfg := neuron.TestConfig()
	cfg.Axon.IP = "0.0.0.0" // the binaries' default: a wildcard listener
	cfg.Logger = sink.JSONLogger()
	m, err := neuron.NewMiner(cfg, f, miner)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- m.Run(ctx) }()
	for m.Axon().Addr() == nil {
		select {
		case err := <-errc:
			t.Fatalf("miner stopped: %v", err)
		case <-time.After(5 * time.Millisecond): // waiting for Run to bind
		}
	}
	cancel()
	if err := <-errc; err != nil { // the axon's Serve has run (and logged) when Run returns
		t.Fatal(err)
	}
	w := warnings(t, &sink, "external")
	if len(w) != 1 || !strings.Contains(w[0], "--axon.external_ip") || strings.Contains(w[0], "Config.") {
		t.Errorf("miner's external-IP warnings = %q, want one naming --axon.external_ip and no Go field", w)
	}

	// The axon used as a library still names its Config field.
	var lib logtest.Buffer
	acfg := axon.TestConfig()
	acfg.Addr = "0.0.0.0:0" // a wildcard listener and no ExternalIP: nothing to publish
	acfg.Logger = lib.JSONLogger()
	ax, err := axon.New(miner, acfg)
	if err != nil {
		t.Fatal(err)
	}
	actx, acancel := context.WithCancel(t.Context())
	acancel() // Run serves (and warns) before it sees ctx has ended
	if err := ax.Run(actx); err != nil {
		t.Fatal(err)
	}
	if w := warnings(t, &lib, "external"); len(w) != 1 || !strings.Contains(w[0], "Config.ExternalIP") {
		t.Errorf("axon's external-IP warnings = %q, want one naming Config.ExternalIP", w)
	}
}
