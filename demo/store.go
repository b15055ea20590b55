package demo

import (
	"sync"
	"time"
)

// store keeps what the demo remembers per browser (pending logins, sessions)
// with a cap on entries and an expiry: anyone can make the demo start a login,
// so what it keeps must not grow with the requests it is sent. Past the cap the
// oldest entry makes room.
type store[V any] struct {
	max int
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]stored[V]
}

type stored[V any] struct {
	v     V
	added time.Time
}

func newStore[V any](max int, ttl time.Duration, now func() time.Time) *store[V] {
	return &store[V]{max: max, ttl: ttl, now: now, entries: map[string]stored[V]{}}
}

// put adds v under key, first dropping expired entries and, when still full,
// the oldest one.
func (s *store[V]) put(key string, v V) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if len(s.entries) >= s.max {
		oldestKey, oldest := "", now
		for k, e := range s.entries {
			if now.Sub(e.added) > s.ttl {
				delete(s.entries, k)
			} else if !e.added.After(oldest) {
				oldestKey, oldest = k, e.added
			}
		}
		if len(s.entries) >= s.max {
			delete(s.entries, oldestKey)
		}
	}
	s.entries[key] = stored[V]{v: v, added: now}
}

// get returns the entry under key unless it expired.
func (s *store[V]) get(key string) (V, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.live(key)
}

// take returns and removes the entry under key: a pending login is used once.
func (s *store[V]) take(key string) (V, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.live(key)
	delete(s.entries, key)
	return v, ok
}

func (s *store[V]) live(key string) (V, bool) {
	e, ok := s.entries[key]
	if !ok || s.now().Sub(e.added) > s.ttl {
		var zero V
		return zero, false
	}
	return e.v, true
}
