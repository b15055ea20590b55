package keys

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// testClock is a settable clock shared by the fake store and the managers.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fakeLease struct {
	holder string
	until  time.Time
	token  int64
}

// fakeStore keeps the key, secret, lease and generation parts of storage.Storage in
// memory, counting every call. Calling any other method panics (nil embedded).
type fakeStore struct {
	storage.Storage
	clock *testClock

	calls     atomic.Int64
	listCalls atomic.Int64

	mu         sync.Mutex
	keys       []storage.SigningKey // in creation order
	secrets    map[string][]byte
	leases     map[string]fakeLease
	tokens     int64
	generation int64
	// afterSecretMiss, when set, runs after GetSecret reports ErrNotFound, to stage
	// a race with another process.
	afterSecretMiss func(name string)
}

func newFakeStore(clock *testClock) *fakeStore {
	return &fakeStore{clock: clock, secrets: map[string][]byte{}, leases: map[string]fakeLease{}}
}

func (s *fakeStore) Generation(_ context.Context, name string) (int64, error) {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if name != "keys" {
		return 0, nil
	}
	return s.generation, nil
}

func (s *fakeStore) ListKeys(_ context.Context) ([]storage.SigningKey, error) {
	s.calls.Add(1)
	s.listCalls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	var out []storage.SigningKey
	for _, k := range slices.Backward(s.keys) {
		if k.ExpiresAt.IsZero() || now.Before(k.ExpiresAt) {
			out = append(out, k)
		}
	}
	slices.SortStableFunc(out, func(a, b storage.SigningKey) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

func (s *fakeStore) CreateKey(_ context.Context, k storage.SigningKey) error {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, existing := range s.keys {
		if existing.ID == k.ID {
			return storage.ErrAlreadyExists
		}
	}
	s.keys = append(s.keys, k)
	s.generation++
	return nil
}

func (s *fakeStore) RetireKey(_ context.Context, id string, retiredAt, expiresAt time.Time) error {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.keys {
		if s.keys[i].ID == id && s.keys[i].RetiredAt.IsZero() {
			s.keys[i].RetiredAt, s.keys[i].ExpiresAt = retiredAt, expiresAt
			s.generation++
			return nil
		}
	}
	return storage.ErrNotFound
}

func (s *fakeStore) GetSecret(_ context.Context, name string) ([]byte, error) {
	s.calls.Add(1)
	s.mu.Lock()
	value, ok := s.secrets[name]
	hook := s.afterSecretMiss
	s.mu.Unlock()
	if !ok {
		if hook != nil {
			hook(name)
		}
		return nil, storage.ErrNotFound
	}
	return slices.Clone(value), nil
}

func (s *fakeStore) CreateSecret(_ context.Context, name string, value []byte) error {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.secrets[name]; ok {
		return storage.ErrAlreadyExists
	}
	s.secrets[name] = slices.Clone(value)
	return nil
}

func (s *fakeStore) AcquireLease(_ context.Context, name, holder string, ttl time.Duration) (storage.Lease, error) {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	l, ok := s.leases[name]
	if ok && l.holder != holder && now.Before(l.until) {
		return storage.Lease{Name: name, Holder: holder}, nil
	}
	s.tokens++
	s.leases[name] = fakeLease{holder: holder, until: now.Add(ttl), token: s.tokens}
	return storage.Lease{Name: name, Holder: holder, Held: true, Token: s.tokens, ExpiresAt: now.Add(ttl)}, nil
}

func (s *fakeStore) RotateKey(_ context.Context, lease storage.Lease, k storage.SigningKey, retire []string, retiredAt, expiresAt time.Time) error {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.leases[lease.Name]; !ok || l.holder != lease.Holder || l.token != lease.Token || !s.clock.Now().Before(l.until) {
		return storage.ErrLeaseLost
	}
	for _, existing := range s.keys {
		if existing.ID == k.ID {
			return storage.ErrAlreadyExists
		}
	}
	s.keys = append(s.keys, k)
	for i := range s.keys {
		if slices.Contains(retire, s.keys[i].ID) && s.keys[i].RetiredAt.IsZero() {
			s.keys[i].RetiredAt, s.keys[i].ExpiresAt = retiredAt, expiresAt
		}
	}
	s.generation++
	return nil
}

func (s *fakeStore) ReleaseLease(_ context.Context, name, holder string) error {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.leases[name]; ok && l.holder == holder {
		delete(s.leases, name)
	}
	return nil
}

// storedKeys returns every key ever created, expired or not.
func (s *fakeStore) storedKeys() []storage.SigningKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.keys)
}
