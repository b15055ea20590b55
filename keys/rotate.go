package keys

import (
	"context"
	"fmt"
	"time"

	"github.com/portvakt/portvakt/storage"
)

const (
	// rotationLease keeps key generation to one broker process at a time.
	rotationLease = "keys-rotation"
	// rotationLeaseTTL bounds how long a crashed holder blocks the others; generating
	// a handful of keys takes well under a second.
	rotationLeaseTTL = 30 * time.Second
	// leasePollInterval is how often a process waiting for the lease looks again.
	leasePollInterval = 50 * time.Millisecond
	// leaseWaitLimit gives up waiting once even a crashed holder's lease is long gone.
	leaseWaitLimit = 2 * rotationLeaseTTL
)

// needFunc decides, from the current key per algorithm, which algorithms need a new
// key. It runs on a fresh read of storage under the lease.
type needFunc func(current map[string]storage.SigningKey) []string

// Init loads the keys and makes sure every configured algorithm has a current key.
// When several processes start at once, one generates the missing keys and the rest
// wait for it and load them.
func (m *Manager) Init(ctx context.Context) error {
	for _, alg := range m.opts.Algorithms {
		if err := checkAlgorithm(alg); err != nil {
			return fmt.Errorf("init keys: %w", err)
		}
	}
	if err := m.reload(ctx); err != nil {
		return fmt.Errorf("init keys: %w", err)
	}
	if len(m.missing(currentByAlgorithm(m.cache.Load().records))) == 0 {
		return nil
	}
	if err := m.generateUnderLease(ctx, m.missing, true); err != nil {
		return fmt.Errorf("init keys: %w", err)
	}
	return nil
}

// Rotate makes a new current key for alg and retires the previous one, which stays
// published for Retention. It waits for the lease if another process holds it.
func (m *Manager) Rotate(ctx context.Context, alg string) error {
	if err := checkAlgorithm(alg); err != nil {
		return fmt.Errorf("rotate key: %w", err)
	}
	always := func(map[string]storage.SigningKey) []string { return []string{alg} }
	if err := m.generateUnderLease(ctx, always, true); err != nil {
		return fmt.Errorf("rotate %s key: %w", alg, err)
	}
	return nil
}

// RotateDue rotates every configured algorithm whose current key is older than
// RotationPeriod, and creates any that is missing. It is cheap when nothing is due
// (no storage access) and does nothing when another process holds the lease, since
// that process is already rotating.
func (m *Manager) RotateDue(ctx context.Context) error {
	c := m.cache.Load()
	if c == nil {
		return fmt.Errorf("rotate due keys: %w (not initialised)", ErrNoCurrentKey)
	}
	if len(m.due(currentByAlgorithm(c.records))) == 0 {
		return nil
	}
	if err := m.generateUnderLease(ctx, m.due, false); err != nil {
		return fmt.Errorf("rotate due keys: %w", err)
	}
	return nil
}

func (m *Manager) missing(current map[string]storage.SigningKey) []string {
	var algs []string
	for _, alg := range m.opts.Algorithms {
		if _, ok := current[alg]; !ok {
			algs = append(algs, alg)
		}
	}
	return algs
}

func (m *Manager) due(current map[string]storage.SigningKey) []string {
	now := m.now()
	var algs []string
	for _, alg := range m.opts.Algorithms {
		key, ok := current[alg]
		if !ok || !now.Before(key.CreatedAt.Add(m.opts.RotationPeriod)) {
			algs = append(algs, alg)
		}
	}
	return algs
}

// generateUnderLease takes the rotation lease, rereads the keys, creates a key for
// every algorithm need names and retires the keys they replace, then reloads the
// cache. Without the lease it either returns (wait false) or polls: a process that
// only needs keys to exist (Init) stops waiting as soon as another process has
// made them.
func (m *Manager) generateUnderLease(ctx context.Context, need needFunc, wait bool) error {
	m.rotateMu.Lock()
	defer m.rotateMu.Unlock()

	// Real time, not the injected clock: this bounds an actual wait.
	deadline := time.Now().Add(leaseWaitLimit)
	for {
		lease, err := m.store.AcquireLease(ctx, rotationLease, m.opts.Holder, rotationLeaseTTL)
		if err != nil {
			return fmt.Errorf("acquire lease: %w", err)
		}
		if lease.Held {
			return m.generateHoldingLease(ctx, lease, need)
		}
		if !wait {
			m.log.Debug("key rotation lease held elsewhere; skipping")
			return nil
		}
		done, err := m.satisfiedElsewhere(ctx, need)
		if err != nil || done {
			return err
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("lease %q still held after %s", rotationLease, leaseWaitLimit)
		}
		timer := time.NewTimer(leasePollInterval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("wait for lease: %w", ctx.Err())
		case <-timer.C:
		}
	}
}

// satisfiedElsewhere reports whether another process has already done what need asks
// for (only possible for "create what is missing"; an explicit rotation always needs
// its own key), reloading the cache if so.
func (m *Manager) satisfiedElsewhere(ctx context.Context, need needFunc) (bool, error) {
	records, err := m.store.ListKeys(ctx)
	if err != nil {
		return false, fmt.Errorf("list keys: %w", err)
	}
	if len(need(currentByAlgorithm(records))) > 0 {
		return false, nil
	}
	return true, m.reload(ctx)
}

func (m *Manager) generateHoldingLease(ctx context.Context, lease storage.Lease, need needFunc) (err error) {
	defer func() {
		// Release even when ctx is cancelled, so others need not wait out the TTL.
		releaseCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if releaseErr := m.store.ReleaseLease(releaseCtx, rotationLease, m.opts.Holder); releaseErr != nil {
			m.log.Warn("release key rotation lease", "err", releaseErr)
		}
	}()

	records, err := m.store.ListKeys(ctx)
	if err != nil {
		return fmt.Errorf("list keys: %w", err)
	}
	for _, alg := range need(currentByAlgorithm(records)) {
		if err := m.replaceKey(ctx, lease, alg, records); err != nil {
			return err
		}
	}
	return m.reload(ctx)
}

// replaceKey stores a new current key for alg and retires the old ones in one
// write fenced by the rotation lease: a process whose lease lapsed and was taken
// by another (a pause, a partitioned node) writes nothing.
func (m *Manager) replaceKey(ctx context.Context, lease storage.Lease, alg string, records []storage.SigningKey) error {
	now := m.now()
	rec, err := newKeyRecord(m.sealer, alg, now)
	if err != nil {
		return err
	}
	var retire []string
	for _, old := range records {
		if old.Algorithm == alg && old.RetiredAt.IsZero() {
			retire = append(retire, old.ID)
		}
	}
	if err := m.store.RotateKey(ctx, lease, rec, retire, now, now.Add(m.opts.Retention)); err != nil {
		return fmt.Errorf("store %s key: %w", alg, err)
	}
	m.log.Info("created signing key", "kid", rec.ID, "alg", alg, "retired", retire, "published_until", now.Add(m.opts.Retention))
	return nil
}
