package keys

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/storage"
)

// ErrNoCurrentKey means there is no key signing with the requested algorithm (or the
// Manager was not initialised).
var ErrNoCurrentKey = errors.New("keys: no current signing key")

// generationName is the storage generation counter bumped by every key change.
const generationName = "keys"

// keyCache is an immutable snapshot of the keys in storage, replaced whole on reload.
type keyCache struct {
	generation int64
	// signing holds the newest current key per algorithm.
	signing map[string]*signingKey
	// successors are, per algorithm, keys newer than the one in signing that are
	// published but do not sign yet (see SigningKey), newest last.
	successors map[string][]successor
	// published is every key in the JWKS at load time, clipped so a caller's append
	// cannot write into it.
	published []op.Key
	// expires[i] is when published[i] leaves the JWKS (zero: while current).
	expires []time.Time
	// firstExpiry is the earliest non-zero expires entry; before it no filtering is
	// needed.
	firstExpiry time.Time
	// records are the rows loaded, newest first.
	records []storage.SigningKey
}

// SigningKey returns the current key for alg (e.g. "RS256") from memory.
func (m *Manager) SigningKey(_ context.Context, alg string) (op.SigningKey, error) {
	c := m.cache.Load()
	if c == nil {
		return nil, fmt.Errorf("signing key %s: %w (not initialised)", alg, ErrNoCurrentKey)
	}
	key, ok := c.signing[alg]
	if !ok {
		return nil, fmt.Errorf("signing key %s: %w", alg, ErrNoCurrentKey)
	}
	// A new key signs only once every broker process has had time to load it, so
	// a relying party that fetches the JWKS from any of them can verify the token.
	activeBefore := m.now().Add(-m.activationDelay())
	for _, next := range c.successors[alg] {
		if next.created.After(activeBefore) {
			break
		}
		key = next.key
	}
	return key, nil
}

// successor is a key that will sign once its activation time has come.
type successor struct {
	created time.Time
	key     *signingKey
}

// activationDelay is how long a new key is published before it signs: two refresh
// intervals, so every process that refreshes on schedule publishes it first.
func (m *Manager) activationDelay() time.Duration { return 2 * m.opts.RefreshInterval }

// KeySet returns the public part of every published key (current, and retired but
// not yet expired) from memory. The caller must not modify the result.
func (m *Manager) KeySet(_ context.Context) ([]op.Key, error) {
	c := m.cache.Load()
	if c == nil {
		return nil, fmt.Errorf("key set: %w (not initialised)", ErrNoCurrentKey)
	}
	now := m.now()
	if c.firstExpiry.IsZero() || now.Before(c.firstExpiry) {
		return c.published, nil
	}
	live := make([]op.Key, 0, len(c.published))
	for i, k := range c.published {
		if c.expires[i].IsZero() || now.Before(c.expires[i]) {
			live = append(live, k)
		}
	}
	return live, nil
}

// SignatureAlgorithms returns the algorithms that have a current key, in the
// configured order first.
func (m *Manager) SignatureAlgorithms(_ context.Context) ([]jose.SignatureAlgorithm, error) {
	c := m.cache.Load()
	if c == nil {
		return nil, fmt.Errorf("signature algorithms: %w (not initialised)", ErrNoCurrentKey)
	}
	algs := make([]jose.SignatureAlgorithm, 0, len(c.signing))
	for _, alg := range m.opts.Algorithms {
		if _, ok := c.signing[alg]; ok {
			algs = append(algs, jose.SignatureAlgorithm(alg))
		}
	}
	for _, alg := range SupportedAlgorithms() {
		if _, ok := c.signing[alg]; ok && !slices.Contains(m.opts.Algorithms, alg) {
			algs = append(algs, jose.SignatureAlgorithm(alg))
		}
	}
	return algs, nil
}

// Refresh reloads the keys if the storage "keys" generation changed since the last
// load. It costs one small query when nothing changed.
func (m *Manager) Refresh(ctx context.Context) error {
	generation, err := m.store.Generation(ctx, generationName)
	if err != nil {
		return fmt.Errorf("refresh keys: %w", err)
	}
	if c := m.cache.Load(); c != nil && c.generation == generation {
		return nil
	}
	return m.reload(ctx)
}

// reload reads every key from storage and swaps the cache. The generation is read
// before the keys, so a change racing the read bumps it again and the next Refresh
// reloads.
func (m *Manager) reload(ctx context.Context) error {
	m.refreshMu.Lock()
	defer m.refreshMu.Unlock()
	generation, err := m.store.Generation(ctx, generationName)
	if err != nil {
		return fmt.Errorf("reload keys: %w", err)
	}
	records, err := m.store.ListKeys(ctx)
	if err != nil {
		return fmt.Errorf("reload keys: %w", err)
	}
	c, err := m.buildCache(records, generation)
	if err != nil {
		return fmt.Errorf("reload keys: %w", err)
	}
	m.cache.Store(c)
	return nil
}

func (m *Manager) buildCache(records []storage.SigningKey, generation int64) (*keyCache, error) {
	records = newestFirst(records)
	c := &keyCache{
		generation: generation,
		signing:    make(map[string]*signingKey),
		records:    records,
	}
	now := m.now()
	for _, rec := range records {
		if !rec.ExpiresAt.IsZero() && !now.Before(rec.ExpiresAt) {
			continue
		}
		public, err := decodePublic(rec)
		if err != nil {
			// One unreadable row must not take the JWKS down with it.
			m.log.Error("skipping unusable signing key", "kid", rec.ID, "alg", rec.Algorithm, "err", err)
			continue
		}
		c.published = append(c.published, public)
		c.expires = append(c.expires, rec.ExpiresAt)
		if !rec.ExpiresAt.IsZero() && (c.firstExpiry.IsZero() || rec.ExpiresAt.Before(c.firstExpiry)) {
			c.firstExpiry = rec.ExpiresAt
		}
		if !rec.RetiredAt.IsZero() || c.signing[rec.Algorithm] != nil {
			continue
		}
		// A current key that cannot be opened is fatal: it usually means the wrong
		// master key, and signing with nothing is worse than refusing to start.
		private, err := decodePrivate(m.sealer, rec, public)
		if err != nil {
			return nil, err
		}
		c.signing[rec.Algorithm] = private
	}
	m.holdBackNewKeys(c, records, now)
	c.published = slices.Clip(c.published)
	return c, nil
}

// holdBackNewKeys makes a key younger than the activation delay a successor of the
// key it replaces, which keeps signing until then. The first key of an algorithm,
// with nothing older to fall back on, signs at once.
func (m *Manager) holdBackNewKeys(c *keyCache, newestFirstRecords []storage.SigningKey, now time.Time) {
	activeBefore := now.Add(-m.activationDelay())
	for alg, current := range c.signing {
		var created time.Time
		for _, rec := range newestFirstRecords {
			if rec.ID == current.ID() {
				created = rec.CreatedAt
			}
		}
		if !created.After(activeBefore) {
			continue
		}
		for _, rec := range newestFirstRecords {
			if rec.Algorithm != alg || !rec.CreatedAt.Before(created) || (!rec.ExpiresAt.IsZero() && !now.Before(rec.ExpiresAt)) {
				continue
			}
			public, err := decodePublic(rec)
			if err != nil {
				continue
			}
			older, err := decodePrivate(m.sealer, rec, public)
			if err != nil {
				m.log.Warn("previous signing key unusable; the new key signs at once", "kid", rec.ID, "err", err)
				break
			}
			if c.successors == nil {
				c.successors = map[string][]successor{}
			}
			c.successors[alg] = []successor{{created: created, key: current}}
			c.signing[alg] = older
			break
		}
	}
}

// newestFirst orders keys by creation, newest first, keeping storage's order for
// equal times.
func newestFirst(records []storage.SigningKey) []storage.SigningKey {
	records = slices.Clone(records)
	slices.SortStableFunc(records, func(a, b storage.SigningKey) int {
		return b.CreatedAt.Compare(a.CreatedAt)
	})
	return records
}

// currentByAlgorithm returns the newest current key per algorithm.
func currentByAlgorithm(records []storage.SigningKey) map[string]storage.SigningKey {
	current := make(map[string]storage.SigningKey)
	for _, rec := range newestFirst(records) {
		if _, seen := current[rec.Algorithm]; !seen && rec.RetiredAt.IsZero() {
			current[rec.Algorithm] = rec
		}
	}
	return current
}
