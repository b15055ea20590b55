package conformance_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/brokertest"
	"github.com/portvakt/portvakt/provider"
)

// phoneEID is an eID that exists only in tests: it starts a backchannel order
// for anyone and the order stays pending.
type phoneEID struct{ started *atomic.Int64 }

var _ connectors.Backchannel = phoneEID{}

func (phoneEID) Info() connectors.Info {
	return connectors.Info{ID: "se-phone", Countries: []string{"SE"}, Name: "Phone test eID", Methods: []connectors.Method{
		{ID: "", URN: "urn:portvakt:eid:se:phone", LoA: connectors.LoASubstantial, MinLoA: connectors.LoASubstantial},
	}}
}

func (p phoneEID) StartBackchannel(context.Context, connectors.BackchannelRequest) (*connectors.Order, error) {
	n := p.started.Add(1)
	return &connectors.Order{Ref: fmt.Sprintf("order-%d", n), PollInterval: time.Second}, nil
}

func (phoneEID) Start(context.Context, connectors.Request) (*connectors.Order, error) {
	return nil, connectors.ErrUpstream
}

func (phoneEID) Poll(context.Context, *connectors.Order) (connectors.Progress, error) {
	return connectors.Progress{Status: connectors.StatusPending}, nil
}
func (phoneEID) Cancel(context.Context, *connectors.Order) error { return nil }
func (phoneEID) QR(*connectors.Order, time.Time) string          { return "" }

// TestCIBARateLimits: a client starts at most ciba.per_client_per_minute
// verifications a minute, and one of its agents at most per_agent_per_minute;
// the next is access_denied (403) and starts no eID order.
func TestCIBARateLimits(t *testing.T) {
	t.Parallel()
	const id, secret = "limited", "limited-secret-0123456789"
	started := &atomic.Int64{}
	cfg := &config.Config{
		Issuer: "http://127.0.0.1:1", Keys: config.Keys{Algorithms: []string{"RS256"}},
		CIBA:       config.CIBALimits{PerClient: 4, PerAgent: 2},
		Clients:    []config.Client{{ID: id, Secret: secret, GrantTypes: []string{config.GrantTypeCIBA}}},
		Connectors: []config.Connector{{ID: "se-phone", Type: "test"}},
	}
	// A clock that stands still keeps every request in one rate window.
	frozen := time.Now()
	built := brokertest.NewProvider(t, cfg, provider.Options{Connectors: []connectors.Connector{phoneEID{started}}, Now: func() time.Time { return frozen }})
	srv := httptest.NewServer(built.Server.Handler())
	t.Cleanup(srv.Close)
	c := cibaClient{issuer: srv.URL, id: id, secret: secret}
	want := func(form url.Values, status int, errCode string) {
		t.Helper()
		form.Set("login_hint", "se-pnr:"+newCaller())
		if got := c.start(t, form); got.Status != status || got.str("error") != errCode {
			t.Errorf("%v: %d %v, want %d %q", form, got.Status, got.Body, status, errCode)
		}
	}
	want(url.Values{"agent": {"a1"}}, http.StatusOK, "")
	want(url.Values{"agent": {"a1"}}, http.StatusOK, "")
	want(url.Values{"agent": {"a1"}}, http.StatusForbidden, "access_denied") // the agent's third
	want(url.Values{"agent": {"a2"}}, http.StatusOK, "")
	want(url.Values{}, http.StatusForbidden, "access_denied") // the client's fifth
	if n := started.Load(); n != 3 {
		t.Errorf("%d eID orders started, want 3", n)
	}
}
