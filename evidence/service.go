package evidence

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/internal/randid"
	"github.com/portvakt/portvakt/keys"
	"github.com/portvakt/portvakt/storage"
)

// DefaultRetention is how long evidence is kept when Options.Retention is
// zero: ten years, the usual horizon of a signed agreement's disputes.
const DefaultRetention = 87600 * time.Hour

// Options configure a Service.
type Options struct {
	Store     storage.Storage // evidence rows + evidence keys + leases
	Sealer    *keys.Sealer
	Issuer    string        // attestation iss
	Retention time.Duration // default 10 years (87600h) when zero
	Now       func() time.Time
	Logger    *slog.Logger
	Holder    string // lease holder id of this process
}

// Service issues, keeps and hands out signature evidence.
type Service struct {
	store     storage.Storage
	sealer    *keys.Sealer
	issuer    string
	retention time.Duration
	now       func() time.Time
	log       *slog.Logger
	keys      *keyStore
}

// Purged is evidence Purge deleted, for the audit to keep that it existed.
type Purged struct {
	ID        string
	ClientID  string
	CreatedAt time.Time
}

// New returns a Service with a current evidence key: the first of several
// processes starting at once makes it, the others load it.
func New(ctx context.Context, o Options) (*Service, error) {
	if o.Store == nil || o.Sealer == nil || o.Issuer == "" {
		return nil, errors.New("evidence: Store, Sealer and Issuer are required")
	}
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Holder == "" {
		o.Holder = randid.New()
	}
	s := &Service{
		store: o.Store, sealer: o.Sealer, issuer: o.Issuer, retention: o.Retention,
		now: o.Now, log: o.Logger,
		keys: &keyStore{store: o.Store, sealer: o.Sealer, issuer: o.Issuer, holder: o.Holder, now: o.Now, log: o.Logger},
	}
	if err := s.keys.ensure(ctx); err != nil {
		return nil, fmt.Errorf("evidence keys: %w", err)
	}
	return s, nil
}

// KeySet returns the public evidence keys, current and retired, each with
// its certificate (x5c): what /evidence/keys publishes, forever.
func (s *Service) KeySet(ctx context.Context) (jose.JSONWebKeySet, error) {
	return s.keys.keySet(ctx)
}

// Rotate retires the current evidence key, which stays published, and makes
// a new one.
func (s *Service) Rotate(ctx context.Context) error {
	if err := s.keys.rotate(ctx); err != nil {
		return fmt.Errorf("rotate evidence key: %w", err)
	}
	s.log.InfoContext(ctx, "rotated evidence key", "kid", s.keys.ring.Load().current.id)
	return nil
}

// purgeBatch bounds one purge transaction; purgeBatches one Purge call, so a
// backlog is worked off over several scheduled runs.
const (
	purgeBatch   = 200
	purgeBatches = 50
)

// Purge deletes the evidence whose retention has passed and returns what it
// deleted.
func (s *Service) Purge(ctx context.Context) ([]Purged, error) {
	now := s.now()
	var out []Purged
	for range purgeBatches {
		batch, err := s.store.PurgeEvidence(ctx, now, purgeBatch)
		for _, p := range batch {
			out = append(out, Purged(p))
		}
		if err != nil {
			return out, fmt.Errorf("purge evidence: %w", err)
		}
		if len(batch) < purgeBatch {
			break
		}
	}
	return out, nil
}
