package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gotensor/gotensor/gateway"
	"github.com/gotensor/gotensor/keys"
)

func TestOrganicForwarderFlags(t *testing.T) {
	hk, err := keys.FromURI("//Charlie//gateway")
	if err != nil {
		t.Fatal(err)
	}
	val, _ := keys.FromURI("//Charlie//validator")
	models := []gateway.Model{{ID: "a", Netuid: 1}, {ID: "b", Netuid: 1}, {ID: "c", Netuid: 3}}
	for _, c := range []struct {
		name, url, token, validator string
		wantErr                     string
		want                        bool
	}{
		{name: "off", want: false},
		{name: "token without url", token: "t", wantErr: "need --organic-url"},
		{name: "url without auth", url: "http://127.0.0.1:9/organic", wantErr: "--organic-token or --organic-validator"},
		{name: "bad validator", url: "http://127.0.0.1:9/organic", validator: "nope", wantErr: "SS58"},
		{name: "token", url: "http://127.0.0.1:9/organic", token: "t", want: true},
		{name: "signed", url: "http://127.0.0.1:9/organic", validator: val.SS58(), want: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := organicForwarder(c.url, c.token, c.validator, hk, models, prometheus.NewRegistry(), nil)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want it to mention %q", err, c.wantErr)
				}
				return
			}
			if err != nil || (f != nil) != c.want {
				t.Fatalf("forwarder %v, err %v; want forwarder: %v", f, err, c.want)
			}
		})
	}
}

// The command prefixes its error line with "gateway:" once, also for errors
// package gateway already prefixes.
func TestErrorLinePrefixOnce(t *testing.T) {
	for _, tc := range []struct{ err, want string }{
		{"gateway: open store: disk full", "gateway: open store: disk full"},
		{"--chain is required", "gateway: --chain is required"},
	} {
		if got := errorLine(errors.New(tc.err)); got != tc.want {
			t.Errorf("errorLine(%q) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
