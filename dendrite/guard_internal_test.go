package dendrite

import (
	"net/netip"
	"testing"
)

func TestPrivateKind(t *testing.T) {
	for _, tt := range []struct {
		ip      string
		private bool
	}{
		{"8.8.8.8", false},
		{"203.0.113.5", false},
		{"172.32.0.1", false},
		{"100.128.0.1", false},
		{"2001:4860:4860::8888", false},
		{"64:ff9b::8.8.8.8", false},
		{"::ffff:8.8.8.8", false},
		{"127.0.0.1", true},
		{"127.255.0.9", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.168.0.1", true},
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"169.254.169.254", true},
		{"169.254.1.1", true},
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"224.0.0.1", true},
		{"255.255.255.255", true},
		{"198.18.0.1", true},
		{"::", true},
		{"::1", true},
		{"fc00::1", true},
		{"fd12:3456::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"fec0::1", true},
		{"ff02::1", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::10.0.0.1", true},
		{"64:ff9b::10.0.0.1", true},
		{"64:ff9b::169.254.169.254", true},
		{"64:ff9b:1::1", true},
		// IPv4 embedded in other IPv6 forms, judged as the IPv4 address
		{"::ffff:0:7f00:1", true}, // IPv4-translated 127.0.0.1
		{"::ffff:0:a00:1", true},
		{"::ffff:0:808:808", false},
		{"2002:7f00:1::1", true}, // 6to4 of 127.0.0.1
		{"2002:a00:1::1", true},
		{"2002:c0a8:101::", true},
		{"2002:a9fe:a9fe::1", true},
		{"2002:808:808::1", false},
		{"2001:0:4136:e378:8000:63bf:80ff:fffe", true},  // Teredo, client 127.0.0.1
		{"2001:0:4136:e378:8000:63bf:f5ff:fffe", true},  // Teredo, client 10.0.0.1
		{"2001:0:a00:1:8000:63bf:f7f7:f7f7", true},      // Teredo, server 10.0.0.1
		{"2001:0:4136:e378:8000:63bf:f7f7:f7f7", false}, // Teredo, both public
		{"2002:7f00:1::1%eth0", true},
		{"100::1", true},
		{"192.0.0.8", true},
		{"192.0.0.170", true},
		{"::ffff:192.0.0.1", true},
	} {
		if k := privateKind(netip.MustParseAddr(tt.ip)); (k != "") != tt.private {
			t.Errorf("privateKind(%s) = %q; want private %v", tt.ip, k, tt.private)
		}
	}
}

func TestNormalise(t *testing.T) {
	for in, want := range map[string]string{
		"LocalHost:8091":        "localhost:8091",
		"[::ffff:10.0.0.1]:80":  "10.0.0.1:80",
		"[FD00::1]:80":          "[fd00::1]:80",
		"127.0.0.1:1":           "127.0.0.1:1",
		"not an address at all": "not an address at all",
	} {
		if got := normalise(in); got != want {
			t.Errorf("normalise(%q) = %q; want %q", in, got, want)
		}
	}
}
