package broker_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// binaries is where TestMain lets tests build the portvakt command: inside the
// module's ignored test-artifacts/ directory, since a system temp directory may
// forbid executing files.
var binaries struct {
	dir  string
	once sync.Once
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := func() int {
		root := filepath.Join("..", "test-artifacts")
		if err := os.MkdirAll(root, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "broker tests:", err)
			return 1
		}
		dir, err := os.MkdirTemp(root, "bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "broker tests:", err)
			return 1
		}
		defer func() {
			if err := os.RemoveAll(dir); err != nil {
				fmt.Fprintln(os.Stderr, "broker tests: remove built binaries:", err)
			}
		}()
		binaries.dir = dir
		return m.Run()
	}()
	os.Exit(code)
}

// portvaktBinary builds the portvakt command once for the tests that need a real
// process (to kill it).
func portvaktBinary(t *testing.T) string {
	t.Helper()
	binaries.once.Do(func() {
		out := filepath.Join(binaries.dir, "portvakt")
		abs, err := filepath.Abs(out)
		if err != nil {
			binaries.err = err
			return
		}
		cmd := exec.Command("go", "build", "-o", abs, "./cmd/portvakt")
		cmd.Dir = ".."
		if msg, err := cmd.CombinedOutput(); err != nil {
			binaries.err = fmt.Errorf("go build ./cmd/portvakt: %w\n%s", err, msg)
			return
		}
		binaries.path = abs
	})
	if binaries.err != nil {
		t.Fatal(binaries.err)
	}
	return binaries.path
}
