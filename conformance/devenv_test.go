package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/storage"
)

// The conformance plans, like the official suite, run against one OP: dev mode with
// auto-approving simulators, started once for the whole package on first use.
var shared struct {
	once sync.Once
	env  *devEnv
	err  error
	stop func() error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.stop != nil {
		if err := shared.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "conformance: stop dev mode:", err)
		}
	}
	os.Exit(code)
}

// devEnv is a running dev mode and the static clients registered for the plans.
type devEnv struct {
	issuer string
	env    *devmode.Env
	// data is dev mode's data directory (the fapi-demo client's keys are there).
	data string
}

// Static clients the plans use besides dev mode's demo client, registered through
// storage the way the admin API registers them.
const (
	postClientID     = "conformance-post"
	postClientSecret = "conformance-post-secret-0123456789"
	client2ID        = "conformance-client2"
	client2Secret    = "conformance-client2-secret-0123456"
)

// mitidACR routes a login to MitID, whose simulator approves at once in dev mode,
// so a login is redirects only: the suite's "configured acr".
const mitidACR = "urn:portvakt:eid:dk:mitid"

func dev(t *testing.T) *devEnv {
	t.Helper()
	shared.once.Do(func() { shared.env, shared.stop, shared.err = startDev() })
	if shared.err != nil {
		t.Fatalf("start dev mode: %v", shared.err)
	}
	return shared.env
}

func startDev() (*devEnv, func() error, error) {
	data, err := os.MkdirTemp("", "portvakt-conformance-")
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	env, err := devmode.Start(ctx, ln, devmode.Options{
		Data: data, AutoApprove: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		cancel()
		return nil, nil, errors.Join(err, os.RemoveAll(data))
	}
	stop := func() error {
		cancel()
		_ = env.Wait()
		return os.RemoveAll(data)
	}
	d := &devEnv{issuer: env.Issuer, env: env, data: data}
	redirect := d.redirectURI()
	for _, c := range []config.Client{
		{ID: postClientID, Name: "Conformance client_secret_post", Secret: postClientSecret,
			AuthMethod: "client_secret_post", RedirectURIs: []string{redirect}},
		{ID: client2ID, Name: "Conformance client2", Secret: client2Secret, RedirectURIs: []string{redirect}},
	} {
		if err := registerClient(ctx, env.Broker.Store, c); err != nil {
			return nil, nil, errors.Join(err, stop())
		}
	}
	return d, stop, nil
}

// registerClient stores a client as the admin API does: settings as JSON, the
// secret as its hash.
func registerClient(ctx context.Context, store storage.Clients, c config.Client) error {
	c.ApplyDefaults()
	if c.Secret != "" {
		c.SecretHash, c.Secret = provider.HashSecret(c.Secret), ""
	}
	doc, err := provider.EncodeClient(c)
	if err != nil {
		return err
	}
	now := time.Now()
	return store.CreateClient(ctx, storage.Client{ID: c.ID, Source: "api", Settings: doc, CreatedAt: now, UpdatedAt: now})
}

func (d *devEnv) redirectURI() string { return d.issuer + "/demo/callback" }
