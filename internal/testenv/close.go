package testenv

import (
	"io"
	"testing"
)

// CloseAtEnd closes c when the test ends and fails the test if that fails: a
// store or pool that cannot close cleanly is a fault the test should show.
func CloseAtEnd(t testing.TB, c io.Closer) {
	t.Helper()
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close %T: %v", c, err)
		}
	})
}
