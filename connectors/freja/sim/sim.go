package sim

import (
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/portvakt/portvakt/connectors/mtls"
)

// Default lifetimes, as Freja has them.
const (
	// DefaultTTL is how long a person has to confirm.
	DefaultTTL = 2 * time.Minute
	// DefaultQRMaxAge is how old a scanned dynamic QR code may be.
	DefaultQRMaxAge = 30 * time.Second
	// keepFinished is how long a final result can still be fetched.
	keepFinished = 10 * time.Minute
	// sweepInterval is how often finished transactions are looked for to forget.
	sweepInterval = time.Second
)

// Options configure a Simulator. The zero value is a manual simulator on the
// real clock.
type Options struct {
	// Now is the simulated clock for expiry and QR age; nil means time.Now.
	Now func() time.Time
	// AutoApprove approves every transaction at its first result fetch, as the
	// person it was pushed to or the default test user; a person below the
	// registration level asked for declines. Scripts still win.
	AutoApprove bool
	// AppBasePath is where AppHandler is mounted, e.g. "/sim/freja/"; default "/app/".
	AppBasePath string
	// TTL is how long a transaction waits for the person; default 2 minutes.
	TTL time.Duration
	// QRMaxAge is how old a scanned QR code may be; default 30 seconds.
	QRMaxAge time.Duration
	// IgnoreRegistrationLevel lets a person below the level a transaction asked
	// for approve it: an upstream that misbehaves, for tests of the broker's
	// own check.
	IgnoreRegistrationLevel bool
	// ServerHosts are extra names or IPs for the API server certificate.
	ServerHosts []string
	// Logger receives one line per API call; nil discards.
	Logger *slog.Logger
}

// Simulator is an in-memory Freja Relying Party API with its own CA and
// result-signing key.
type Simulator struct {
	opts    Options
	pki     *mtls.CA
	results *resultSigner
	users   userSigners
	appBase string
	logger  *slog.Logger

	mu        sync.Mutex
	txs       map[string]*transaction
	scripts   map[string][]string
	errors    map[string][]apiError
	requests  []RecordedRequest
	lastSweep time.Time
}

// New creates a simulator, its CA and its signing key.
func New(opts Options) (*Simulator, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultTTL
	}
	if opts.QRMaxAge <= 0 {
		opts.QRMaxAge = DefaultQRMaxAge
	}
	p, err := mtls.NewCA(apiCAName, opts.ServerHosts)
	if err != nil {
		return nil, err
	}
	signer, err := newResultSigner()
	if err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	base := opts.AppBasePath
	if base == "" {
		base = "/app/"
	}
	if !strings.HasPrefix(base, "/") {
		base = "/" + base
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return &Simulator{
		opts: opts, pki: p, results: signer, appBase: base, logger: logger,
		txs: map[string]*transaction{}, scripts: map[string][]string{}, errors: map[string][]apiError{},
	}, nil
}

// AppBasePath is the path AppHandler expects to be mounted at, ending in "/".
func (s *Simulator) AppBasePath() string { return s.appBase }

// AppLinkPath is the app page that a QR code's link and an app link open.
func (s *Simulator) AppLinkPath() string { return s.appBase + "link" }
