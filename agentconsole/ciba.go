package agentconsole

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// The CIBA grant (CIBA Core 1.0) and the claim naming the request in the ID token.
const (
	cibaGrant      = "urn:openid:params:grant-type:ciba"
	authReqIDClaim = "urn:openid:params:jwt:claim:auth_req_id"
)

// CIBA is the console's client of the broker's backchannel authentication:
// it starts a verification at the bc-authorize endpoint and polls the token
// endpoint with the CIBA grant, as any client of the broker does.
type CIBA struct {
	issuer, clientID, secret string
	http                     *http.Client

	once     sync.Once
	provider *oidc.Provider
	bcURL    string
	initErr  error
}

// NewCIBA returns the client of the broker at issuer; it reads the broker's
// discovery document on first use.
func NewCIBA(issuer, clientID, secret string, client *http.Client) *CIBA {
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	return &CIBA{issuer: issuer, clientID: clientID, secret: secret, http: client}
}

func (c *CIBA) discover(ctx context.Context) error {
	c.once.Do(func() {
		c.provider, c.initErr = oidc.NewProvider(oidc.ClientContext(ctx, c.http), c.issuer)
		if c.initErr != nil {
			return
		}
		var meta struct {
			BC string `json:"backchannel_authentication_endpoint"`
		}
		_ = c.provider.Claims(&meta)
		c.bcURL = meta.BC
		if c.bcURL == "" {
			c.bcURL = strings.TrimSuffix(c.issuer, "/") + "/oauth/bc-authorize"
		}
	})
	return c.initErr
}

// StartRequest is what the console sends to the bc-authorize endpoint.
type StartRequest struct {
	LoginHint      string
	BindingMessage string
	CallInitiator  string
	Reason         string
	Agent          string
}

// Started is the endpoint's acknowledgement.
type Started struct {
	AuthReqID string `json:"auth_req_id"`
	ExpiresIn int    `json:"expires_in"`
	Interval  int    `json:"interval"`
}

// OAuthError is an error the broker answered with (error, error_description).
type OAuthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description"`
	Status      int    `json:"-"`
}

func (e *OAuthError) Error() string { return e.Code + ": " + e.Description }

// Start asks the broker to verify the person the hint names.
func (c *CIBA) Start(ctx context.Context, req StartRequest) (Started, error) {
	if err := c.discover(ctx); err != nil {
		return Started{}, fmt.Errorf("CIBA discovery: %w", err)
	}
	form := url.Values{"scope": {"openid profile national_id"}, "login_hint": {req.LoginHint}}
	for k, v := range map[string]string{"binding_message": req.BindingMessage, "call_initiator": req.CallInitiator, "reason": req.Reason, "agent": req.Agent} {
		if v != "" {
			form.Set(k, v)
		}
	}
	var out Started
	if err := c.post(ctx, c.bcURL, form, &out); err != nil {
		return Started{}, err
	}
	if out.AuthReqID == "" || out.ExpiresIn <= 0 {
		return Started{}, errors.New("CIBA: the acknowledgement lacks auth_req_id or expires_in")
	}
	if out.Interval <= 0 {
		out.Interval = 5
	}
	return out, nil
}

// Verified is who approved, read from the verified ID token.
type Verified struct {
	Name       string    `json:"name"`
	NationalID string    `json:"-"`
	Country    string    `json:"country"`
	Level      string    `json:"level"`
	EID        string    `json:"eid"`
	At         time.Time `json:"at"`
}

// Poll asks the token endpoint once. It returns the person when the caller
// approved, or the broker's OAuthError (authorization_pending, slow_down,
// access_denied, expired_token, invalid_grant).
func (c *CIBA) Poll(ctx context.Context, authReqID string) (Verified, error) {
	if err := c.discover(ctx); err != nil {
		return Verified{}, fmt.Errorf("CIBA discovery: %w", err)
	}
	var tok struct {
		IDToken string `json:"id_token"`
	}
	if err := c.post(ctx, c.provider.Endpoint().TokenURL, url.Values{"grant_type": {cibaGrant}, "auth_req_id": {authReqID}}, &tok); err != nil {
		return Verified{}, err
	}
	idt, err := c.provider.Verifier(&oidc.Config{ClientID: c.clientID}).Verify(oidc.ClientContext(ctx, c.http), tok.IDToken)
	if err != nil {
		return Verified{}, fmt.Errorf("CIBA ID token: %w", err)
	}
	var claims struct {
		Name       string `json:"name"`
		NationalID string `json:"national_id"`
		Country    string `json:"country"`
		ACR        string `json:"acr"`
		IDP        string `json:"idp"`
		AuthTime   int64  `json:"auth_time"`
		AuthReqID  string `json:"urn:openid:params:jwt:claim:auth_req_id"`
	}
	if err := idt.Claims(&claims); err != nil {
		return Verified{}, fmt.Errorf("CIBA ID token claims: %w", err)
	}
	if claims.AuthReqID != authReqID {
		return Verified{}, errors.New("CIBA ID token: it names another auth_req_id")
	}
	at := idt.IssuedAt
	if claims.AuthTime > 0 {
		at = time.Unix(claims.AuthTime, 0)
	}
	return Verified{Name: claims.Name, NationalID: claims.NationalID, Country: claims.Country, Level: claims.ACR, EID: claims.IDP, At: at.UTC()}, nil
}

// post sends a form with the console's client authentication and decodes a
// 200 answer into out, any other into an OAuthError.
func (c *CIBA) post(ctx context.Context, endpoint string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(c.clientID), url.QueryEscape(c.secret))
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("CIBA: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("CIBA: read the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		e := &OAuthError{Status: resp.StatusCode}
		if json.Unmarshal(body, e) != nil || e.Code == "" {
			return fmt.Errorf("CIBA: %s answered %d", endpoint, resp.StatusCode)
		}
		return e
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("CIBA: the answer is not JSON: %w", err)
	}
	return nil
}
