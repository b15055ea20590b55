package testenv

import (
	"net"
	"strconv"
	"testing"
)

// FreeAddr is a loopback address with a port that was free a moment ago, for a
// process or listener a test starts by address.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
}
