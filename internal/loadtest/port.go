package loadtest

import "github.com/gotensor/gotensor/internal/freeport"

func freePort() int {
	p, err := freeport.Get()
	if err != nil {
		return 26657
	}
	return p
}
