package broker_test

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// load is logins and token traffic running across the three brokers while a
// scenario breaks something. Failures while a node is down are expected and
// counted; what must hold is checked afterwards.
type load struct {
	stopping chan struct{}
	wg       sync.WaitGroup

	mu       sync.Mutex
	ok       int
	failures map[string]int
}

// startLoad runs workers goroutines of back-to-back logins.
func (g *galeraStack) startLoad(t *testing.T, l *ledger, workers int) *load {
	ld := &load{stopping: make(chan struct{}), failures: map[string]int{}}
	for w := range workers {
		ld.wg.Add(1)
		go func() {
			defer ld.wg.Done()
			for turn := w; ; turn += workers {
				select {
				case <-ld.stopping:
					return
				default:
				}
				err := attempt(t, func(tb testing.TB) { g.loginAndUse(tb, l, turn) })
				ld.count(err)
				if err != nil {
					// A relying party does not retry in a tight loop either.
					select {
					case <-ld.stopping:
					case <-time.After(50 * time.Millisecond):
					}
				}
			}
		}()
	}
	return ld
}

func (ld *load) count(err error) {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	if err == nil {
		ld.ok++
		return
	}
	kind := err.Error()
	if len(kind) > 120 {
		kind = kind[:120]
	}
	ld.failures[kind]++
}

// stop ends the load and says what it did.
func (ld *load) stop() string {
	close(ld.stopping)
	ld.wg.Wait()
	ld.mu.Lock()
	defer ld.mu.Unlock()
	var kinds []string
	for k, n := range ld.failures {
		kinds = append(kinds, fmt.Sprintf("%d× %s", n, k))
	}
	sort.Strings(kinds)
	return fmt.Sprintf("%d logins used fully, %d failed: %s", ld.ok, len(kinds), strings.Join(kinds, "; "))
}
