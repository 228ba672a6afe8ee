package dendrite_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/synapse"
)

// Dummy is the subnet template's synapse: the miner doubles dummy_input.
type Dummy struct {
	synapse.Base
	DummyInput  int  `json:"dummy_input" bt:"required"`
	DummyOutput *int `json:"dummy_output"`
}

func (*Dummy) RequiredHashFields() []string { return []string{"dummy_input"} }

func double(_ context.Context, d *Dummy) error {
	out := 2 * d.DummyInput
	d.DummyOutput = &out
	return nil
}

var (
	validator = mustKey("Alice")
	miner     = mustKey("Ferdie")
	stranger  = mustKey("Dave")
)

func mustKey(name string) *keys.Keypair {
	kp, err := keys.FromURI("//" + name)
	if err != nil {
		panic(err)
	}
	return kp
}

func registry() axon.StaticRegistry {
	return axon.StaticRegistry{validator.Public(): {Stake: 1000e9, ValidatorPermit: true}}
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// startAxon serves double (and whatever setup adds) as miner, for the length of the test.
func startAxon(t testing.TB, setup ...func(*axon.Axon)) synapse.AxonInfo {
	t.Helper()
	return axontest.Start(t, minerAxon(t, setup...))
}

// minerAxon is startAxon's axon, not yet serving.
func minerAxon(t testing.TB, setup ...func(*axon.Axon)) *axon.Axon {
	t.Helper()
	cfg := axon.TestConfig()
	cfg.Registry = registry()
	cfg.Logger = testLogger(t)
	a, err := axon.New(miner, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := axon.Handle(a, axon.HandlerFunc[*Dummy](double)); err != nil {
		t.Fatal(err)
	}
	for _, s := range setup {
		s(a)
	}
	return a
}

func newDendrite(t testing.TB, cfg dendrite.Config) *dendrite.Dendrite {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	d, err := dendrite.New(validator, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// rawServer is a real loopback HTTP server answering with h, for answers no axon gives.
func rawServer(t testing.TB, h http.HandlerFunc) synapse.AxonInfo {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return infoOf(t, srv.Listener.Addr())
}

func infoOf(t testing.TB, a net.Addr) synapse.AxonInfo {
	t.Helper()
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return synapse.AxonInfo{IP: host, Port: uint16(p), IPType: 4, Protocol: 4, Hotkey: miner.Public()}
}

// deadPort returns the address of a port nothing listens on.
func deadPort(t testing.TB) synapse.AxonInfo {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	info := infoOf(t, ln.Addr())
	ln.Close()
	return info
}

// silentServer accepts connections and never answers.
func silentServer(t testing.TB) synapse.AxonInfo {
	info, _ := silentServerAccepts(t)
	return info
}

// silentServerAccepts is silentServer, also reporting each accepted connection.
func silentServerAccepts(t testing.TB) (synapse.AxonInfo, <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	accepted := make(chan struct{}, 64)
	var conns []net.Conn
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				for _, c := range conns {
					c.Close()
				}
				return
			}
			conns = append(conns, c)
			select {
			case accepted <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return infoOf(t, ln.Addr()), accepted
}
