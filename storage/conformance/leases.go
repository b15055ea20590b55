package conformance

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
)

var leaseTests = []namedTest{
	{"Exclusive", testLeaseExclusive},
	{"Expired", testLeaseExpired},
	{"Release", testLeaseRelease},
	{"ConcurrentAcquire", testLeaseConcurrentAcquire},
}

func acquire(t *testing.T, s storage.Storage, name, holder string, ttl time.Duration) bool {
	t.Helper()
	lease, err := s.AcquireLease(t.Context(), name, holder, ttl)
	mustNoErr(t, fmt.Sprintf("AcquireLease(%s, %s)", name, holder), err)
	return lease.Held
}

func testLeaseExclusive(t *testing.T, s storage.Storage) {
	if !acquire(t, s, "rotate-keys", "a", time.Minute) {
		t.Fatal("a could not take a free lease")
	}
	if acquire(t, s, "rotate-keys", "b", time.Minute) {
		t.Error("b took a lease a holds")
	}
	if !acquire(t, s, "rotate-keys", "a", time.Minute) {
		t.Error("a could not extend its own lease")
	}
	if acquire(t, s, "rotate-keys", "b", time.Minute) {
		t.Error("b took a lease a extended")
	}
	if !acquire(t, s, "poll-order-1", "b", time.Minute) {
		t.Error("b could not take a different free lease")
	}
}

// testLeaseExpired: a lease taken with a TTL of zero or less is already expired,
// so expiry is tested without waiting.
func testLeaseExpired(t *testing.T, s storage.Storage) {
	if !acquire(t, s, "rotate-keys", "a", -time.Minute) {
		t.Fatal("a could not take a free lease")
	}
	if !acquire(t, s, "rotate-keys", "b", time.Minute) {
		t.Fatal("b could not take a's expired lease")
	}
	if acquire(t, s, "rotate-keys", "a", time.Minute) {
		t.Error("a took back a lease b holds")
	}
	if !acquire(t, s, "zero", "a", 0) {
		t.Fatal("a could not take a free lease")
	}
	if !acquire(t, s, "zero", "b", time.Minute) {
		t.Error("b could not take a lease that expired as it was taken")
	}
}

func testLeaseRelease(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	if !acquire(t, s, "rotate-keys", "a", time.Minute) {
		t.Fatal("a could not take a free lease")
	}
	mustNoErr(t, "ReleaseLease by non-holder", s.ReleaseLease(ctx, "rotate-keys", "b"))
	if acquire(t, s, "rotate-keys", "c", time.Minute) {
		t.Error("c took a lease after a non-holder released it")
	}
	mustNoErr(t, "ReleaseLease", s.ReleaseLease(ctx, "rotate-keys", "a"))
	if !acquire(t, s, "rotate-keys", "c", time.Minute) {
		t.Error("c could not take a released lease")
	}
	mustNoErr(t, "ReleaseLease of an unknown lease", s.ReleaseLease(ctx, "never-taken", "a"))
}

func testLeaseConcurrentAcquire(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	const holders = 20
	got := make([]storage.Lease, holders)
	errs := make([]error, holders)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range holders {
		wg.Go(func() {
			<-start
			got[i], errs[i] = s.AcquireLease(ctx, "rotate-keys", fmt.Sprintf("holder-%d", i), time.Minute)
		})
	}
	close(start)
	wg.Wait()
	winners := 0
	for i := range holders {
		mustNoErr(t, "AcquireLease", errs[i])
		if got[i].Held {
			winners++
		}
	}
	if winners != 1 {
		t.Errorf("%d holders got the lease, want 1", winners)
	}
}
