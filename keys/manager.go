package keys

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/internal/randid"
	"github.com/portvakt/portvakt/storage"
)

// Defaults for zero Options fields.
const (
	DefaultRotationPeriod  = 90 * 24 * time.Hour
	DefaultRetention       = 24 * time.Hour
	DefaultRefreshInterval = 5 * time.Second
	DefaultAlgorithm       = "RS256"
)

// Options tune a Manager. Zero values take the defaults.
type Options struct {
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// RotationPeriod is how long a key signs before RotateDue replaces it.
	RotationPeriod time.Duration
	// Retention is how long a retired key stays published in the JWKS. It must be
	// longer than the lifetime of anything the broker signs (ID and access tokens).
	Retention time.Duration
	// RefreshInterval is how often Run checks storage for key changes.
	RefreshInterval time.Duration
	// Algorithms must each have a current key (default RS256). See SupportedAlgorithms.
	Algorithms []string
	// Holder identifies this process in the "keys-rotation" lease; a random id when
	// empty. Every process sharing a database needs its own.
	Holder string
}

// Manager keeps the signing keys and server secrets. Signing and publishing are
// served from memory; create it with NewManager and call Init before use.
type Manager struct {
	store  storage.Storage
	sealer *Sealer
	log    *slog.Logger
	now    func() time.Time
	opts   Options

	cache atomic.Pointer[keyCache]
	// refreshMu makes concurrent reloads take turns, so an older read never
	// replaces a newer one.
	refreshMu sync.Mutex
	// rotateMu serialises this process's generations: the lease admits its holder
	// again, so it cannot keep two goroutines of one process apart.
	rotateMu sync.Mutex

	secretsMu sync.Mutex
	secrets   map[string][]byte
}

var _ op.KeyProvider = (*Manager)(nil)

// NewManager returns a Manager over store whose private keys and secrets are sealed
// by sealer.
func NewManager(store storage.Storage, sealer *Sealer, opts Options) *Manager {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RotationPeriod <= 0 {
		opts.RotationPeriod = DefaultRotationPeriod
	}
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = DefaultRefreshInterval
	}
	if len(opts.Algorithms) == 0 {
		opts.Algorithms = []string{DefaultAlgorithm}
	} else {
		opts.Algorithms = append([]string(nil), opts.Algorithms...)
	}
	if opts.Holder == "" {
		opts.Holder = "keys-" + randid.Hex(8)
	}
	return &Manager{
		store:   store,
		sealer:  sealer,
		log:     opts.Logger,
		now:     opts.Now,
		opts:    opts,
		secrets: make(map[string][]byte),
	}
}
