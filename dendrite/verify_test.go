package dendrite_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/dendrite"
)

func TestVerifyResponses(t *testing.T) {
	axontest.CheckLeaks(t)
	ax := startAxon(t)
	d := newDendrite(t, dendrite.Config{VerifyResponses: true})
	syn := &Dummy{DummyInput: 2}
	if err := d.Call(t.Context(), ax, syn); err != nil || *syn.DummyOutput != 4 {
		t.Fatalf("signed answer refused: %v", err)
	}

	// A man in the middle changes the answer: the signature no longer covers it.
	target, _ := url.Parse("http://" + ax.Addr())
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		b = bytes.Replace(b, []byte(`"dummy_output":4`), []byte(`"dummy_output":5`), 1)
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	mitm := rawServer(t, proxy.ServeHTTP)
	mitm.Hotkey = ax.Hotkey
	syn = &Dummy{DummyInput: 2}
	err := d.Call(t.Context(), mitm, syn)
	if err == nil || syn.Dendrite.StatusCode != 401 || !strings.Contains(syn.Dendrite.StatusMessage, "not signed by the axon's hotkey") {
		t.Errorf("tampered answer: %v %+v", err, syn.Dendrite)
	}
	if syn.DummyOutput != nil {
		t.Errorf("the tampered output reached the caller: %d", *syn.DummyOutput)
	}

	// An axon that does not sign (a Python one) fails verification; without VerifyResponses
	// its answers are taken as they are.
	unsigned := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"dummy_input": 2, "dummy_output": 4}`))
	})
	if err := d.Call(t.Context(), unsigned, &Dummy{DummyInput: 2}); err == nil {
		t.Error("an unsigned answer passed verification")
	}
	plain := newDendrite(t, dendrite.Config{})
	if err := plain.Call(t.Context(), unsigned, &Dummy{DummyInput: 2}); err != nil {
		t.Errorf("unsigned answer without verification: %v", err)
	}
}
