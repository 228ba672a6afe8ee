package neurons

import (
	"errors"
	"testing"
)

func TestValidIP(t *testing.T) {
	v6loop := make([]byte, 16)
	v6loop[15] = 1
	ones := []byte{255, 255, 255, 255}
	cases := []struct {
		ip        []byte
		ipType    uint32
		allowZero bool
		want      error
	}{
		{[]byte{1, 2, 3, 4}, 4, true, nil},
		{[]byte{0, 0, 0, 0}, 4, true, nil},
		{[]byte{0, 0, 0, 0}, 4, false, ErrInvalidIpAddress},
		{[]byte{127, 0, 0, 1}, 4, true, ErrInvalidIpAddress},
		{ones, 4, true, ErrInvalidIpAddress},
		{[]byte{1, 2, 3, 4}, 6, true, ErrInvalidIpType},
		{v6loop, 6, true, ErrInvalidIpAddress},
		{append(make([]byte, 15), 2), 6, true, nil},
		{[]byte{1, 2, 3}, 4, true, ErrInvalidIpType},
	}
	for _, c := range cases {
		err := validIP(c.ip, c.ipType, c.allowZero)
		if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%v/%d: %v, want %v", c.ip, c.ipType, err, c.want)
		}
	}
	if got := FormatEndpoint(append(make([]byte, 15), 1), 80); got != "[0:0:0:0:0:0:0:1]:80" {
		t.Fatal(got)
	}
}
