package keys

import (
	"context"
	"fmt"
	"time"
)

// Info describes one stored signing key, for listing.
type Info struct {
	ID        string
	Algorithm string
	CreatedAt time.Time
	// RetiredAt and ExpiresAt are zero while the key is current.
	RetiredAt time.Time
	ExpiresAt time.Time
	// Current is true for the key that signs for its algorithm.
	Current bool
}

// List reads every unexpired key from storage (not the cache), newest first.
func (m *Manager) List(ctx context.Context) ([]Info, error) {
	records, err := m.store.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	records = newestFirst(records)
	current := currentByAlgorithm(records)
	infos := make([]Info, 0, len(records))
	for _, rec := range records {
		infos = append(infos, Info{
			ID:        rec.ID,
			Algorithm: rec.Algorithm,
			CreatedAt: rec.CreatedAt,
			RetiredAt: rec.RetiredAt,
			ExpiresAt: rec.ExpiresAt,
			Current:   current[rec.Algorithm].ID == rec.ID,
		})
	}
	return infos, nil
}
