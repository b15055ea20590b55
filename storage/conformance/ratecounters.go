package conformance

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
)

var rateCounterTests = []namedTest{
	{"Hit", testRateCounterHit},
	{"ConcurrentHit", testRateCounterConcurrentHit},
}

func testRateCounterHit(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	window := now().Truncate(time.Minute)
	next := window.Add(time.Minute)
	hit := func(key string, start time.Time) int64 {
		t.Helper()
		n, err := s.Hit(ctx, key, start, start.Add(2*time.Minute))
		mustNoErr(t, "Hit", err)
		return n
	}
	for want := int64(1); want <= 3; want++ {
		if got := hit("ip:192.0.2.1", window); got != want {
			t.Errorf("hit %d returned %d", want, got)
		}
	}
	if got := hit("ip:192.0.2.1", next); got != 1 {
		t.Errorf("first hit in the next window returned %d, want 1", got)
	}
	if got := hit("ip:192.0.2.2", window); got != 1 {
		t.Errorf("first hit of another key returned %d, want 1", got)
	}
	if got := hit("ip:192.0.2.1", window); got != 4 {
		t.Errorf("fourth hit returned %d, want 4", got)
	}
}

// testRateCounterConcurrentHit: concurrent hits through one store each get a
// distinct count.
func testRateCounterConcurrentHit(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	window := now().Truncate(time.Minute)
	const hitters = 20
	counts := make([]int64, hitters)
	errs := make([]error, hitters)
	var wg sync.WaitGroup
	for i := range hitters {
		wg.Go(func() {
			counts[i], errs[i] = writer(s, i).Hit(ctx, "client:rp", window, window.Add(2*time.Minute))
		})
	}
	wg.Wait()
	for _, err := range errs {
		mustNoErr(t, "Hit", err)
	}
	slices.Sort(counts)
	if isCluster(s) {
		// Each member counts in its own shard and reads the others' as they
		// are: a count is at least the hit's own and at most the total, and the
		// next hit sees them all.
		if counts[0] < 1 || counts[hitters-1] > hitters {
			t.Errorf("counts = %v, want each in 1..%d", counts, hitters)
		}
		n, err := s.Hit(ctx, "client:rp", window, window.Add(2*time.Minute))
		mustNoErr(t, "Hit", err)
		if n != hitters+1 {
			t.Errorf("the hit after %d concurrent ones returned %d, want %d", hitters, n, hitters+1)
		}
		return
	}
	for i, c := range counts {
		if c != int64(i+1) {
			t.Fatalf("counts = %v, want 1..%d each once", counts, hitters)
		}
	}
}
