package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// target is the broker under load and what every login shares: its endpoints,
// its keys, the transport.
type target struct {
	o         Options
	acr       string
	issuer    string
	authorize string
	token     string
	par       string
	// keyClient, when set, pushes requests and authenticates with private_key_jwt.
	keyClient *keyClient
	keys      *keySet
	shared    *http.Transport
	// sources is set when each login dials from its own loopback address.
	sources *loopbackSources
	// signDetails is --sign's authorization_details; signed counts evidence.
	signDetails string
	signed      signTally
}

// discovery is the part of the broker's discovery document the logins use.
type discovery struct {
	Issuer    string `json:"issuer"`
	Authorize string `json:"authorization_endpoint"`
	Token     string `json:"token_endpoint"`
	JWKS      string `json:"jwks_uri"`
	PAR       string `json:"pushed_authorization_request_endpoint"`
}

func newTarget(ctx context.Context, o Options, e eid) (*target, error) {
	t := &target{o: o, acr: e.acr, shared: sharedTransport(o.Concurrency)}
	if o.Sign {
		t.signDetails = signDetails()
	}
	if e.orders && !o.SingleSource && spreadable(o.Issuer) {
		t.sources = newLoopbackSources()
	}
	client := &http.Client{Transport: t.shared, Timeout: 10 * time.Second}
	var d discovery
	if err := getJSON(ctx, client, o.Issuer+"/.well-known/openid-configuration", &d); err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	if d.Issuer != o.Issuer {
		return nil, fmt.Errorf("discovery: issuer %q, want %q", d.Issuer, o.Issuer)
	}
	t.issuer, t.authorize, t.token, t.par = d.Issuer, d.Authorize, d.Token, d.PAR
	if o.ClientKeyFile != "" {
		if d.PAR == "" {
			return nil, errors.New("discovery: no pushed_authorization_request_endpoint for the keyed client")
		}
		var err error
		if t.keyClient, err = newKeyClient(o); err != nil {
			return nil, err
		}
	}
	t.keys = &keySet{url: d.JWKS, client: client}
	if err := t.keys.refresh(ctx); err != nil {
		return nil, err
	}
	return t, nil
}

// browser is a new simulated browser: its own cookies and, when addresses are
// spread, its own connection. done releases its connection.
func (t *target) browser() (client *http.Client, done func()) {
	tr, done := t.shared, func() {}
	if t.sources != nil {
		own := t.sources.transport()
		tr, done = own, own.CloseIdleConnections
	}
	return &http.Client{
		Transport: tr, Jar: cookieJar{},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, done
}

func getJSON(ctx context.Context, c *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
