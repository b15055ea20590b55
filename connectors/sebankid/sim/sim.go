package sim

import (
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/portvakt/portvakt/connectors/mtls"
)

// APIPath is where APIHandler serves the RP API.
const APIPath = "/rp/v6.0/"

// Default lifetimes, as BankID has them.
const (
	DefaultOrderTTL = 3 * time.Minute
	DefaultQRMaxAge = 30 * time.Second
	// completeKeep and failedKeep are how long a finished order can still be collected.
	completeKeep = 3 * time.Minute
	failedKeep   = 5 * time.Minute
	// sweepInterval is how often finished orders are looked for to forget.
	sweepInterval = time.Second
)

// Options configure a Simulator. The zero value is a manual simulator on the real clock.
type Options struct {
	// Now is the simulated clock for order expiry and QR age; nil means time.Now.
	Now func() time.Time
	// AutoApprove completes every order at its first collect, as the user named by
	// requirement.personalNumber or the default test user. Scripts still win.
	AutoApprove bool
	// AppBasePath is where AppHandler is mounted, e.g. "/sim/se-bankid/"; default "/app/".
	AppBasePath string
	// DefaultPersonalNumber is the user for AutoApprove; default TestUsers()[0].
	DefaultPersonalNumber string
	// OrderTTL is how long an order waits for the user; default 3 minutes.
	OrderTTL time.Duration
	// QRMaxAge is how old a scanned QR code may be; default 30 seconds.
	QRMaxAge time.Duration
	// ServerHosts are extra names or IPs for the API server certificate.
	ServerHosts []string
	// Logger receives one line per API call; nil discards.
	Logger *slog.Logger
}

// Simulator is an in-memory BankID RP API with its own CA.
type Simulator struct {
	opts    Options
	pki     *mtls.CA
	signing *signPKI
	appBase string
	logger  *slog.Logger

	mu       sync.Mutex
	orders   map[string]*order
	scripts  map[string][]Step
	errors   map[string][]injectedError
	requests []RecordedRequest
	// lastSweep is when sweep last looked through the orders.
	lastSweep time.Time
}

// New creates a simulator and its CA.
func New(opts Options) (*Simulator, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.OrderTTL <= 0 {
		opts.OrderTTL = DefaultOrderTTL
	}
	if opts.QRMaxAge <= 0 {
		opts.QRMaxAge = DefaultQRMaxAge
	}
	if opts.DefaultPersonalNumber == "" {
		opts.DefaultPersonalNumber = TestUsers()[0].PersonalNumber
	}
	p, err := mtls.NewCA(apiCAName, opts.ServerHosts)
	if err != nil {
		return nil, err
	}
	signing, err := newSignPKI(opts.Now())
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
		opts:    opts,
		pki:     p,
		signing: signing,
		appBase: base,
		logger:  logger,
		orders:  map[string]*order{},
		scripts: map[string][]Step{},
		errors:  map[string][]injectedError{},
	}, nil
}

// AppBasePath is the path AppHandler expects to be mounted at, ending in "/".
func (s *Simulator) AppBasePath() string { return s.appBase }
