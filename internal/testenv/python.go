package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Python returns a Python 3 that can import every module named (Debian's packages
// land in /usr/bin/python3's path, which a python3 earlier on PATH, such as
// pyenv's, does not see), or skips/fails the test.
func Python(t testing.TB, modules ...string) string {
	t.Helper()
	candidates := []string{os.Getenv("PORTVAKT_PYTHON"), "python3", "/usr/bin/python3"}
	imports := "import " + strings.Join(modules, ", ")
	for _, c := range candidates {
		if c == "" {
			continue
		}
		p, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		if exec.Command(p, "-c", imports).Run() == nil {
			return p
		}
	}
	Missing(t, "no python3 can %q (install Debian's python3-authlib and python3-requests, or set PORTVAKT_PYTHON)", imports)
	return ""
}
