// Package halfbody is a test client for package bodydeadline's servers: it
// sends a request whose body stops half-way and reports whether, and with
// what, the server answers.
package halfbody

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// Send writes requestLine (e.g. "POST /organic HTTP/1.1") and headers (each
// "Name: value") to addr, announces a 1000-byte body, sends only part of it
// and returns the answer's status line. It gives the server up to wait to
// answer: far longer than its body deadline, so that only a server that
// waits for the body forever fails to answer.
func Send(addr, requestLine string, headers []string, wait time.Duration) (string, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	req := requestLine + "\r\nHost: x\r\n"
	for _, h := range headers {
		req += h + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"Content-Length: 1000\r\n\r\n{\"half"); err != nil {
		return "", err
	}
	conn.SetReadDeadline(time.Now().Add(wait))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("%s: the server still waits for a body the client stopped sending: %w", requestLine, err)
	}
	return strings.TrimSpace(line), nil
}
