package loadtest

import "net"

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 26657
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
