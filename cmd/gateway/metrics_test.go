package main

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// A scrape whose body never arrives in full is answered instead of holding the connection.
func TestMetricsSlowBodyIsCutOff(t *testing.T) {
	old := metricsTimeout
	metricsTimeout = 200 * time.Millisecond
	t.Cleanup(func() { metricsTimeout = old })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := metricsServer("", prometheus.NewRegistry())
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nab"); err != nil {
		t.Fatal(err)
	}
	// Far beyond metricsTimeout: only a server that waits for the body forever gets here.
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := bufio.NewReader(conn).ReadString('\n'); err != nil && !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("the metrics server still waits for the body of a client that stopped sending it: %v", err)
	}
}
