package sqlstore_test

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/portvakt/portvakt/internal/galeratest"
)

// galera is the package's one Galera cluster, started by the first test that
// asks for it (a start costs seconds) and stopped when the tests end.
var galera struct {
	once    sync.Once
	cluster *galeratest.Cluster
	err     error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if galera.cluster != nil {
		if err := galera.cluster.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "sqlstore tests: stop the Galera cluster:", err)
			code = 1
		}
	}
	os.Exit(code)
}
