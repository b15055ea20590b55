package oidcup

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/portvakt/portvakt/internal/randid"
)

// requestObjectLifetime is how long a signed request object is valid.
const requestObjectLifetime = 10 * time.Minute

// AuthParams are the per-login parts of an authorization request.
type AuthParams struct {
	// State is the OAuth state to send: the broker's auth request id
	// (connectors.Request.ID), by which its one callback finds the login. Empty
	// means a random one.
	State string
	// RedirectURI is the broker's callback URL for this connector.
	RedirectURI string
	ACRValues   string
	LoginHint   string
	UILocales   string
	// Prompt is "login" to force a new upstream authentication, else "".
	Prompt string
	// Extra are upstream-specific parameters (idp_values, idp_params, ftn_spname).
	// They go where the others go: the query or the request object.
	Extra map[string]string
}

// State is what a login needs kept between AuthURL and Exchange. Connectors store
// it (JSON) inside their own state.
type State struct {
	State       string `json:"state"`
	Nonce       string `json:"nonce"`
	Verifier    string `json:"verifier"`
	RedirectURI string `json:"redirect_uri"`
}

// AuthURL builds the URL to send the browser to, and the state to keep.
func (c *Client) AuthURL(ctx context.Context, p AuthParams) (string, State, error) {
	d, err := c.discover(ctx)
	if err != nil {
		return "", State{}, err
	}
	st := State{
		State:       cmp.Or(p.State, randid.String(24)),
		Nonce:       randid.String(24),
		Verifier:    randid.String(48),
		RedirectURI: p.RedirectURI,
	}
	params := map[string]string{
		"response_type":         "code",
		"client_id":             c.opts.ClientID,
		"redirect_uri":          p.RedirectURI,
		"scope":                 scopeString(c.opts.Scopes),
		"state":                 st.State,
		"nonce":                 st.Nonce,
		"code_challenge":        s256(st.Verifier),
		"code_challenge_method": "S256",
	}
	optional := map[string]string{
		"acr_values": p.ACRValues,
		"login_hint": p.LoginHint,
		"ui_locales": p.UILocales,
		"prompt":     p.Prompt,
	}
	for k, v := range optional {
		if v != "" {
			params[k] = v
		}
	}
	for k, v := range p.Extra {
		params[k] = v
	}

	u, err := url.Parse(d.authURL)
	if err != nil {
		return "", State{}, upstreamErr(fmt.Errorf("authorization endpoint: %w", err))
	}
	q := u.Query()
	if c.opts.RequestObject != RequestObjectOnly {
		for k, v := range params {
			q.Set(k, v)
		}
	}
	if c.opts.RequestObject != RequestObjectNone {
		ro, err := c.requestObject(params)
		if err != nil {
			return "", State{}, err
		}
		q.Set("request", ro)
	}
	u.RawQuery = q.Encode()
	return u.String(), st, nil
}

// requestObject signs params as an RFC 9101 request object addressed to the
// upstream issuer.
func (c *Client) requestObject(params map[string]string) (string, error) {
	now := c.now()
	claims := map[string]any{
		"iss": c.opts.ClientID,
		"aud": c.opts.Issuer,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(requestObjectLifetime).Unix(),
		"jti": randid.String(16),
	}
	for k, v := range params {
		claims[k] = v
	}
	signer, err := c.signer()
	if err != nil {
		return "", err
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("sign request object: %w", err)
	}
	return raw, nil
}

// signer signs with the client's key, RS256, with kid and typ JWT headers.
func (c *Client) signer() (jose.Signer, error) {
	if c.signing == nil {
		return nil, fmt.Errorf("oidcup: no signing key configured")
	}
	s, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: c.signing.priv, KeyID: c.signing.kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	return s, nil
}
