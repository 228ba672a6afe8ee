package axon

import (
	"net"
	"net/netip"
	"sync"
)

// connLimitListener closes connections from an IP that already has max open, so one host
// cannot hold every connection (slow-loris with many sockets).
type connLimitListener struct {
	net.Listener
	max int

	mu    sync.Mutex
	count map[netip.Addr]int

	onReject func(ip netip.Addr)
}

func newConnLimitListener(ln net.Listener, max int, onReject func(netip.Addr)) net.Listener {
	if max <= 0 {
		return ln
	}
	return &connLimitListener{Listener: ln, max: max, count: map[netip.Addr]int{}, onReject: onReject}
}

func (l *connLimitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := remoteIP(c.RemoteAddr())
		l.mu.Lock()
		if l.count[ip] >= l.max {
			l.mu.Unlock()
			c.Close()
			if l.onReject != nil {
				l.onReject(ip)
			}
			continue
		}
		l.count[ip]++
		l.mu.Unlock()
		return &limitedConn{Conn: c, l: l, ip: ip}, nil
	}
}

func (l *connLimitListener) done(ip netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.count[ip]--; l.count[ip] <= 0 {
		delete(l.count, ip)
	}
}

type limitedConn struct {
	net.Conn
	l    *connLimitListener
	ip   netip.Addr
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.done(c.ip) })
	return err
}

func remoteIP(a net.Addr) netip.Addr {
	if ta, ok := a.(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(ta.IP)
		return ip.Unmap()
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}
