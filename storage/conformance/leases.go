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
	{"TokenGrows", testLeaseTokenGrows},
	{"FencedRotation", testLeaseFencedRotation},
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
			got[i], errs[i] = writer(s, i).AcquireLease(ctx, "rotate-keys", fmt.Sprintf("holder-%d", i), time.Minute)
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

// testLeaseTokenGrows: every take or extension of a lease gets a larger token,
// also after a release, so a write fenced by an older token can be refused.
func testLeaseTokenGrows(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	take := func(holder string, ttl time.Duration) storage.Lease {
		t.Helper()
		lease, err := s.AcquireLease(ctx, "rotate-keys", holder, ttl)
		mustNoErr(t, "AcquireLease "+holder, err)
		return lease
	}
	var last int64
	grew := func(what string, lease storage.Lease) {
		t.Helper()
		if !lease.Held {
			t.Fatalf("%s: lease not held", what)
		}
		if lease.Token <= last {
			t.Errorf("%s: token %d, want more than %d", what, lease.Token, last)
		}
		if lease.Name != "rotate-keys" || lease.ExpiresAt.IsZero() {
			t.Errorf("%s: lease = %+v, want its name and expiry", what, lease)
		}
		last = lease.Token
	}
	grew("a takes a free lease", take("a", -time.Minute))
	grew("b takes it once expired", take("b", time.Minute))
	grew("b extends it", take("b", time.Minute))
	if lost := take("a", time.Minute); lost.Held {
		t.Errorf("a took a lease b holds: %+v", lost)
	}
	mustNoErr(t, "ReleaseLease", s.ReleaseLease(ctx, "rotate-keys", "b"))
	grew("a takes it once released", take("a", time.Minute))
}

// testLeaseFencedRotation: RotateKey writes only while its lease is held under
// the same token; a holder whose lease moved on writes nothing.
func testLeaseFencedRotation(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	mustNoErr(t, "CreateKey", s.CreateKey(ctx, newKey("key-1", past())))
	first, err := s.AcquireLease(ctx, "keys-rotation", "a", -time.Minute)
	mustNoErr(t, "AcquireLease a", err)
	mustErrIs(t, "RotateKey under an expired lease",
		s.RotateKey(ctx, first, newKey("key-a", now()), []string{"key-1"}, now(), future()), storage.ErrLeaseLost)

	second, err := s.AcquireLease(ctx, "keys-rotation", "b", time.Minute)
	mustNoErr(t, "AcquireLease b", err)
	mustErrIs(t, "RotateKey by the holder the lease moved on from",
		s.RotateKey(ctx, first, newKey("key-a", now()), []string{"key-1"}, now(), future()), storage.ErrLeaseLost)
	stale := second
	stale.Token--
	mustErrIs(t, "RotateKey with an older token",
		s.RotateKey(ctx, stale, newKey("key-a", now()), []string{"key-1"}, now(), future()), storage.ErrLeaseLost)

	g0 := generation(t, s, "keys")
	mustNoErr(t, "RotateKey by the holder",
		s.RotateKey(ctx, second, newKey("key-b", now()), []string{"key-1"}, now(), future()))
	if g := generation(t, s, "keys"); g <= g0 {
		t.Errorf("keys generation after RotateKey = %d, was %d", g, g0)
	}
	keys, err := s.ListKeys(ctx)
	mustNoErr(t, "ListKeys", err)
	state := map[string]bool{} // id: retired
	for _, k := range keys {
		state[k.ID] = !k.RetiredAt.IsZero()
	}
	if len(state) != 2 || state["key-b"] || !state["key-1"] {
		t.Errorf("keys after rotations = %v, want key-1 retired and key-b current only", state)
	}
}
