package keys

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/storage"
)

// fastAlgorithms avoid RSA generation where the algorithm does not matter.
var fastAlgorithms = []string{"ES256", "EdDSA"}

type fixture struct {
	clock  *testClock
	store  *fakeStore
	sealer *Sealer
}

func newFixture(t testing.TB) *fixture {
	clock := newTestClock()
	return &fixture{clock: clock, store: newFakeStore(clock), sealer: testSealer(t)}
}

func (f *fixture) manager(holder string, algs ...string) *Manager {
	return NewManager(f.store, f.sealer, Options{
		Now:        f.clock.Now,
		Algorithms: algs,
		Holder:     holder,
		Retention:  time.Hour,
	})
}

func initManager(t testing.TB, m *Manager) {
	t.Helper()
	if err := m.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func keySetIDs(t testing.TB, m *Manager) []string {
	t.Helper()
	set, err := m.KeySet(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(set))
	for _, k := range set {
		ids = append(ids, k.ID())
	}
	slices.Sort(ids)
	return ids
}

func signingKID(t testing.TB, m *Manager, alg string) string {
	t.Helper()
	k, err := m.SigningKey(context.Background(), alg)
	if err != nil {
		t.Fatal(err)
	}
	if string(k.SignatureAlgorithm()) != alg {
		t.Fatalf("SigningKey(%s) has algorithm %s", alg, k.SignatureAlgorithm())
	}
	return k.ID()
}

func TestInitDefaultsToOneRS256Key(t *testing.T) {
	f := newFixture(t)
	m := NewManager(f.store, f.sealer, Options{Now: f.clock.Now})
	initManager(t, m)
	stored := f.store.storedKeys()
	if len(stored) != 1 || stored[0].Algorithm != "RS256" {
		t.Fatalf("stored keys = %+v, want one RS256 key", stored)
	}
	if got := signingKID(t, m, "RS256"); got != stored[0].ID {
		t.Errorf("SigningKey kid = %s, want %s", got, stored[0].ID)
	}
	if _, err := m.SigningKey(context.Background(), "ES256"); !errors.Is(err, ErrNoCurrentKey) {
		t.Errorf("SigningKey(ES256) error = %v, want ErrNoCurrentKey", err)
	}
}

func TestInitGeneratesOncePerAlgorithmAndIsShared(t *testing.T) {
	f := newFixture(t)
	first := f.manager("one", fastAlgorithms...)
	initManager(t, first)

	stored := f.store.storedKeys()
	if len(stored) != len(fastAlgorithms) {
		t.Fatalf("stored %d keys, want %d", len(stored), len(fastAlgorithms))
	}
	for _, rec := range stored {
		if bytes.Contains(rec.PrivateKey, rec.PublicJWK) || rec.PrivateKey[0] != sealVersion1 {
			t.Errorf("key %s private part is not sealed", rec.ID)
		}
		if len(rec.ID) < 16 {
			t.Errorf("kid %q is shorter than 96 bits", rec.ID)
		}
	}

	second := f.manager("two", fastAlgorithms...)
	initManager(t, second)
	if n := len(f.store.storedKeys()); n != len(fastAlgorithms) {
		t.Fatalf("second Init made keys: %d stored", n)
	}
	for _, alg := range fastAlgorithms {
		if a, b := signingKID(t, first, alg), signingKID(t, second, alg); a != b {
			t.Errorf("%s: managers sign with %s and %s", alg, a, b)
		}
	}
	if a, b := keySetIDs(t, first), keySetIDs(t, second); !slices.Equal(a, b) {
		t.Errorf("key sets differ: %v and %v", a, b)
	}
}

func TestConcurrentInitGeneratesOnce(t *testing.T) {
	f := newFixture(t)
	const processes = 4
	managers := make([]*Manager, processes)
	errs := make([]error, processes)
	var wg sync.WaitGroup
	for i := range managers {
		managers[i] = f.manager(fmt.Sprintf("process-%d", i), fastAlgorithms...)
		wg.Go(func() { errs[i] = managers[i].Init(context.Background()) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.store.storedKeys()); n != len(fastAlgorithms) {
		t.Fatalf("stored %d keys, want %d", n, len(fastAlgorithms))
	}
	for _, alg := range fastAlgorithms {
		want := signingKID(t, managers[0], alg)
		for _, m := range managers[1:] {
			if got := signingKID(t, m, alg); got != want {
				t.Errorf("%s: %s, want %s", alg, got, want)
			}
		}
	}
}

func TestInitWaitsForLeaseHolder(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if lease, _ := f.store.AcquireLease(ctx, rotationLease, "winner", time.Minute); !lease.Held {
		t.Fatal("could not take the lease")
	}
	loser := f.manager("loser", fastAlgorithms...)
	done := make(chan error, 1)
	go func() { done <- loser.Init(ctx) }()

	// The lease admits its holder again: this plays the process that took it.
	initManager(t, f.manager("winner", fastAlgorithms...))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(f.store.storedKeys()); n != len(fastAlgorithms) {
		t.Fatalf("stored %d keys, want %d", n, len(fastAlgorithms))
	}
	for _, alg := range fastAlgorithms {
		signingKID(t, loser, alg)
	}
}

func TestInitStopsWaitingWhenContextEnds(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	if lease, _ := f.store.AcquireLease(ctx, rotationLease, "stuck", time.Minute); !lease.Held {
		t.Fatal("could not take the lease")
	}
	m := f.manager("waiting", "EdDSA")
	done := make(chan error, 1)
	go func() { done <- m.Init(ctx) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Init error = %v, want context.Canceled", err)
	}
}

func TestInitRejectsUnsupportedAlgorithm(t *testing.T) {
	f := newFixture(t)
	err := f.manager("one", "HS256").Init(context.Background())
	if !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Fatalf("Init error = %v, want ErrUnsupportedAlgorithm", err)
	}
}

func TestInitFailsWithWrongMasterKey(t *testing.T) {
	f := newFixture(t)
	initManager(t, f.manager("one", "EdDSA"))
	other, err := NewSealer(bytes.Repeat([]byte{9}, MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	m := NewManager(f.store, other, Options{Now: f.clock.Now, Algorithms: []string{"EdDSA"}})
	if err := m.Init(context.Background()); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("Init error = %v, want ErrDecrypt", err)
	}
}

func TestInitRejectsSwappedPrivateKeys(t *testing.T) {
	f := newFixture(t)
	initManager(t, f.manager("one", "EdDSA", "ES256"))
	f.store.mu.Lock()
	f.store.keys[0].PrivateKey, f.store.keys[1].PrivateKey = f.store.keys[1].PrivateKey, f.store.keys[0].PrivateKey
	f.store.mu.Unlock()
	err := f.manager("two", "EdDSA", "ES256").Init(context.Background())
	if !errors.Is(err, ErrDecrypt) {
		t.Fatalf("Init error = %v, want ErrDecrypt", err)
	}
}

func TestRotateKeepsOldKeyPublishedForRetention(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m := f.manager("one", "ES256")
	initManager(t, m)
	oldKID := signingKID(t, m, "ES256")

	f.clock.Advance(time.Minute)
	if err := m.Rotate(ctx, "ES256"); err != nil {
		t.Fatal(err)
	}
	rotatedAt := f.clock.Now()
	if signingKID(t, m, "ES256") != oldKID {
		t.Fatal("the new key signs before every process can have published it")
	}
	f.clock.Advance(m.activationDelay())
	newKID := signingKID(t, m, "ES256")
	if newKID == oldKID {
		t.Fatal("Rotate kept the same signing key after the activation delay")
	}
	both := []string{oldKID, newKID}
	slices.Sort(both)
	if got := keySetIDs(t, m); !slices.Equal(got, both) {
		t.Fatalf("key set after rotation = %v, want %v", got, both)
	}

	infos, err := m.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 2 || infos[0].ID != newKID || !infos[0].Current || infos[1].Current ||
		!infos[1].RetiredAt.Equal(rotatedAt) || !infos[1].ExpiresAt.Equal(rotatedAt.Add(time.Hour)) {
		t.Fatalf("List = %+v", infos)
	}

	f.clock.Advance(rotatedAt.Add(time.Hour - time.Second).Sub(f.clock.Now()))
	if got := keySetIDs(t, m); !slices.Equal(got, both) {
		t.Fatalf("key set just before retention ends = %v, want %v", got, both)
	}
	f.clock.Advance(time.Second)
	if got := keySetIDs(t, m); !slices.Equal(got, []string{newKID}) {
		t.Fatalf("key set after retention = %v, want only %s", got, newKID)
	}
	// A reload after expiry agrees with the filtered cache.
	fresh := f.manager("two", "ES256")
	initManager(t, fresh)
	if got := keySetIDs(t, fresh); !slices.Equal(got, []string{newKID}) {
		t.Fatalf("fresh manager key set = %v, want only %s", got, newKID)
	}
}

func TestRotateRetiresEveryPreviousCurrentKey(t *testing.T) {
	f := newFixture(t)
	m := f.manager("one", "EdDSA")
	initManager(t, m)
	// A crash between creating and retiring leaves two current keys.
	extra, err := newKeyRecord(f.sealer, "EdDSA", f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateKey(context.Background(), extra); err != nil {
		t.Fatal(err)
	}
	if err := m.Rotate(context.Background(), "EdDSA"); err != nil {
		t.Fatal(err)
	}
	current := 0
	for _, rec := range f.store.storedKeys() {
		if rec.RetiredAt.IsZero() {
			current++
		}
	}
	if current != 1 {
		t.Fatalf("%d current keys after rotation, want 1", current)
	}
}

func TestRotateDue(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m := NewManager(f.store, f.sealer, Options{
		Now: f.clock.Now, Algorithms: []string{"EdDSA"}, RotationPeriod: 30 * 24 * time.Hour,
	})
	initManager(t, m)
	first := signingKID(t, m, "EdDSA")

	f.clock.Advance(30*24*time.Hour - time.Second)
	calls := f.store.calls.Load()
	if err := m.RotateDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.store.calls.Load(); got != calls {
		t.Fatalf("RotateDue with nothing due made %d storage calls", got-calls)
	}
	if signingKID(t, m, "EdDSA") != first {
		t.Fatal("rotated before the period ended")
	}

	f.clock.Advance(time.Second)
	if err := m.RotateDue(ctx); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(m.activationDelay())
	if signingKID(t, m, "EdDSA") == first {
		t.Fatal("did not rotate when due")
	}
	if n := len(f.store.storedKeys()); n != 2 {
		t.Fatalf("stored %d keys, want 2", n)
	}
}

func TestRotateDueSkipsWhileAnotherProcessRotates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m := NewManager(f.store, f.sealer, Options{
		Now: f.clock.Now, Algorithms: []string{"EdDSA"}, RotationPeriod: time.Hour, Holder: "me",
	})
	initManager(t, m)
	f.clock.Advance(time.Hour)
	if lease, _ := f.store.AcquireLease(ctx, rotationLease, "other", time.Minute); !lease.Held {
		t.Fatal("could not take the lease")
	}
	if err := m.RotateDue(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.store.storedKeys()); n != 1 {
		t.Fatalf("rotated despite the lease: %d keys", n)
	}
}

func TestRefreshPicksUpOtherProcessChanges(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.manager("a", "EdDSA")
	b := f.manager("b", "EdDSA")
	initManager(t, a)
	initManager(t, b)

	lists := f.store.listCalls.Load()
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if f.store.listCalls.Load() != lists {
		t.Fatal("Refresh reloaded although the generation did not change")
	}

	if err := a.Rotate(ctx, "EdDSA"); err != nil {
		t.Fatal(err)
	}
	rotated := signingKID(t, a, "EdDSA")
	if signingKID(t, b, "EdDSA") == rotated {
		t.Fatal("b saw the rotation without refreshing")
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := signingKID(t, b, "EdDSA"); got != rotated {
		t.Fatalf("b signs with %s after refresh, want %s", got, rotated)
	}
}

func TestRunRefreshes(t *testing.T) {
	f := newFixture(t)
	// The deadline only turns a hang into a clear failure.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := f.manager("a", "EdDSA")
	initManager(t, a)
	b := NewManager(f.store, f.sealer, Options{
		Now: f.clock.Now, Algorithms: []string{"EdDSA"}, Holder: "b", RefreshInterval: time.Millisecond,
	})
	initManager(t, b)
	stopped := make(chan struct{})
	go func() { b.Run(ctx); close(stopped) }()

	if err := a.Rotate(ctx, "EdDSA"); err != nil {
		t.Fatal(err)
	}
	want := signingKID(t, a, "EdDSA")
	// Wait on the observable outcome, bounded by the test deadline, not a sleep.
	for signingKID(t, b, "EdDSA") != want {
		if ctx.Err() != nil {
			t.Fatal("Run never picked up the rotation")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-stopped
}

func TestHotPathDoesNotTouchStorage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m := f.manager("one", fastAlgorithms...)
	initManager(t, m)
	calls := f.store.calls.Load()
	for range 1000 {
		for _, alg := range fastAlgorithms {
			if _, err := m.SigningKey(ctx, alg); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := m.KeySet(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := m.SignatureAlgorithms(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.store.calls.Load(); got != calls {
		t.Fatalf("hot path made %d storage calls", got-calls)
	}
}

func TestUninitialisedManager(t *testing.T) {
	f := newFixture(t)
	m := f.manager("one")
	if _, err := m.SigningKey(context.Background(), "RS256"); !errors.Is(err, ErrNoCurrentKey) {
		t.Errorf("SigningKey error = %v", err)
	}
	if _, err := m.KeySet(context.Background()); !errors.Is(err, ErrNoCurrentKey) {
		t.Errorf("KeySet error = %v", err)
	}
}

func BenchmarkHotPath(b *testing.B) {
	f := newFixture(b)
	m := f.manager("one", "ES256")
	initManager(b, m)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var keys []op.Key
		for pb.Next() {
			if _, err := m.SigningKey(ctx, "ES256"); err != nil {
				b.Fatal(err)
			}
			var err error
			if keys, err = m.KeySet(ctx); err != nil || len(keys) != 1 {
				b.Fatal(err)
			}
		}
	})
}

var _ storage.Storage = (*fakeStore)(nil)

// A rotated key is published at once but signs only after the activation delay,
// so every broker process publishes it before any token carries it.
func TestNewKeyIsPublishedBeforeItSigns(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.manager("a", "RS256")
	initManager(t, a)
	old := signingKID(t, a, "RS256")
	f.clock.Advance(time.Hour)
	if err := a.Rotate(ctx, "RS256"); err != nil {
		t.Fatal(err)
	}
	published := keySetIDs(t, a)
	if len(published) != 2 || signingKID(t, a, "RS256") != old {
		t.Fatalf("right after rotation: published %v, signing %s; want both published, the old one signing", published, signingKID(t, a, "RS256"))
	}
	f.clock.Advance(a.activationDelay() - time.Second)
	if signingKID(t, a, "RS256") != old {
		t.Fatal("the new key signs before the activation delay")
	}
	f.clock.Advance(time.Second)
	if signingKID(t, a, "RS256") == old {
		t.Fatal("the new key does not sign after the activation delay")
	}
}
