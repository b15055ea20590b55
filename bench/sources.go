package bench

import (
	"crypto/rand"
	"encoding/binary"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime"
	"sync/atomic"
	"time"
)

// loopbackSources hands out one 127.x.y.z source address per login. The broker
// counts eID orders per client IP; on a loopback issuer every address in
// 127.0.0.0/8 reaches it, so each login can look like another person's browser.
// The start is random, so runs soon after each other meet fresh counters.
type loopbackSources struct{ next atomic.Uint32 }

// The range used: 127.1.0.0 up to (not including) 127.255.255.255.
const (
	sourceFirst = 1 << 16
	sourceLast  = 1<<24 - 1
)

func newLoopbackSources() *loopbackSources {
	var b [4]byte
	_, _ = rand.Read(b[:])
	s := &loopbackSources{}
	s.next.Store(sourceFirst + binary.BigEndian.Uint32(b[:])%(sourceLast-sourceFirst))
	return s
}

// spreadable says whether logins to issuer can come from many loopback addresses.
func spreadable(issuer string) bool {
	u, err := url.Parse(issuer)
	if err != nil || runtime.GOOS != "linux" {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(u.Hostname())
	return err == nil && ip.Is4() && ip.IsLoopback()
}

func (s *loopbackSources) nextAddr() net.IP {
	n := s.next.Add(1)
	if n >= sourceLast {
		s.next.Store(sourceFirst)
		n = sourceFirst
	}
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], n)
	return net.IPv4(127, b[1], b[2], b[3])
}

// transport is a transport of its own that dials from the next source address: one
// browser's connection.
func (s *loopbackSources) transport() *http.Transport {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: s.nextAddr()}, Timeout: 10 * time.Second}
	return &http.Transport{
		DialContext: d.DialContext, MaxIdleConnsPerHost: 2, DisableCompression: true,
		IdleConnTimeout: 90 * time.Second,
	}
}

// sharedTransport serves every login when addresses are not spread: enough idle
// connections that no login waits for one.
func sharedTransport(concurrency int) *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		DialContext: d.DialContext, MaxIdleConns: 4 * concurrency, MaxIdleConnsPerHost: 2 * concurrency,
		DisableCompression: true, IdleConnTimeout: 90 * time.Second,
	}
}
