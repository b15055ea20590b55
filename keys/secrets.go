package keys

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/portvakt/portvakt/storage"
)

// maxSecretSize bounds Secret's size argument; server secrets are keys, not data.
const maxSecretSize = 1024

// Secret returns the named server secret (e.g. "subject-hmac", "cookie-hash",
// "cookie-block", "op-crypto") of size bytes, creating it at random on first use.
// Every process sharing the database gets the same value: the first to create it
// wins and the others read the winner's. Values are cached; the result is a copy.
func (m *Manager) Secret(ctx context.Context, name string, size int) ([]byte, error) {
	if name == "" || size <= 0 || size > maxSecretSize {
		return nil, fmt.Errorf("secret %q: invalid request for %d bytes", name, size)
	}
	m.secretsMu.Lock()
	value, ok := m.secrets[name]
	m.secretsMu.Unlock()
	if !ok {
		// Loaded without the lock so a slow database does not hold up cached
		// secrets; racing loaders agree because storage lets only one create it.
		loaded, err := m.loadOrCreateSecret(ctx, name, size)
		if err != nil {
			return nil, fmt.Errorf("secret %q: %w", name, err)
		}
		m.secretsMu.Lock()
		if value, ok = m.secrets[name]; !ok {
			value = loaded
			m.secrets[name] = value
		}
		m.secretsMu.Unlock()
	}
	if len(value) != size {
		return nil, fmt.Errorf("secret %q: stored value is %d bytes, asked for %d", name, len(value), size)
	}
	return append([]byte(nil), value...), nil
}

func (m *Manager) loadOrCreateSecret(ctx context.Context, name string, size int) ([]byte, error) {
	value, err := m.readSecret(ctx, name)
	if !errors.Is(err, storage.ErrNotFound) {
		return value, err
	}
	value = make([]byte, size)
	if _, err := rand.Read(value); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	sealed, err := m.sealer.Seal(value, []byte(name))
	if err != nil {
		return nil, err
	}
	err = m.store.CreateSecret(ctx, name, sealed)
	switch {
	case err == nil:
		m.log.Info("created server secret", "name", name)
		return value, nil
	case errors.Is(err, storage.ErrAlreadyExists):
		// Another process won the race; everyone must use its value.
		return m.readSecret(ctx, name)
	default:
		return nil, fmt.Errorf("store: %w", err)
	}
}

func (m *Manager) readSecret(ctx context.Context, name string) ([]byte, error) {
	sealed, err := m.store.GetSecret(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	value, err := m.sealer.Open(sealed, []byte(name))
	if err != nil {
		return nil, err
	}
	return value, nil
}
