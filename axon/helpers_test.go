package axon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/axon/axontest"
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

// Keys of the test subnet.
var (
	alice   = mustKey("Alice")   // validator, permit, 1000 TAO
	bob     = mustKey("Bob")     // registered, no permit, 10 TAO
	charlie = mustKey("Charlie") // validator, permit, 5000 TAO
	dave    = mustKey("Dave")    // not registered
	eve     = mustKey("Eve")     // validator, permit, 100 TAO
	ferdie  = mustKey("Ferdie")  // the miner
)

func mustKey(name string) *keys.Keypair {
	kp, err := keys.FromURI("//" + name)
	if err != nil {
		panic(err)
	}
	return kp
}

func testRegistry() axon.StaticRegistry {
	return axon.StaticRegistry{
		alice.Public():   {UID: 0, Stake: 1000e9, ValidatorPermit: true},
		bob.Public():     {UID: 1, Stake: 10e9},
		charlie.Public(): {UID: 2, Stake: 5000e9, ValidatorPermit: true},
		eve.Public():     {UID: 4, Stake: 100e9, ValidatorPermit: true},
	}
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// newAxon builds a miner axon with the test registry and the Dummy handler, adjusted by
// edit, and starts it.
func newAxon(t testing.TB, edit func(*axon.Config), setup ...func(*axon.Axon)) (*axon.Axon, synapse.AxonInfo) {
	t.Helper()
	cfg := axon.TestConfig()
	cfg.Registry = testRegistry()
	cfg.Logger = testLogger(t)
	if edit != nil {
		edit(&cfg)
	}
	a, err := axon.New(ferdie, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := axon.Handle(a, axon.HandlerFunc[*Dummy](double)); err != nil {
		t.Fatal(err)
	}
	for _, s := range setup {
		s(a)
	}
	return a, axontest.Start(t, a)
}

// client sends hand-made requests, so tests can break them in every way.
type client struct {
	t  testing.TB
	kp *keys.Keypair
	ax synapse.AxonInfo
	hc *http.Client
}

func newClient(t testing.TB, kp *keys.Keypair, ax synapse.AxonInfo, sourceIP string) *client {
	d := &net.Dialer{}
	if sourceIP != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(sourceIP)}
	}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 16}
	t.Cleanup(tr.CloseIdleConnections)
	return &client{t: t, kp: kp, ax: ax, hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

type result struct {
	code   int
	msg    string
	header http.Header
	body   []byte
}

// prepare signs syn for the axon.
func (c *client) prepare(syn synapse.Synapse, opt synapse.RequestOptions) ([]byte, http.Header) {
	c.t.Helper()
	body, h, err := synapse.PrepareRequest(syn, c.kp, c.ax, opt)
	if err != nil {
		c.t.Fatal(err)
	}
	return body, h
}

// post sends body and h to /path.
func (c *client) post(path string, body []byte, h http.Header) result {
	c.t.Helper()
	return c.do(http.MethodPost, path, bytes.NewReader(body), h)
}

// do sends a request; a body that is not a *bytes.Reader goes out chunked.
func (c *client) do(method, path string, body io.Reader, h http.Header) result {
	c.t.Helper()
	req, err := http.NewRequest(method, "http://"+c.ax.Addr()+"/"+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	r := result{code: resp.StatusCode, header: resp.Header, body: b}
	var m struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(b, &m) == nil {
		r.msg = m.Message
	}
	return r
}

// call signs and sends syn, as a dendrite would.
func (c *client) call(syn synapse.Synapse, opt synapse.RequestOptions) result {
	c.t.Helper()
	body, h := c.prepare(syn, opt)
	return c.post(synapse.MustTypeOf(syn).Name(), body, h)
}
