package oidcup

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/portvakt/portvakt/internal/randid"
)

// maxBody caps what is read from an upstream response.
const maxBody = 1 << 20

// Result is a verified login at the upstream.
type Result struct {
	// IDToken is the verified token; Claims are all its claims.
	IDToken *oidc.IDToken
	Claims  map[string]any
	// RawIDToken is the signed ID token (the inner JWS when it came encrypted),
	// kept as evidence.
	RawIDToken  string
	AccessToken string
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	IDToken     string `json:"id_token"`
	Error       string `json:"error"`
	ErrorDesc   string `json:"error_description"`
}

// Exchange completes a login from the upstream's callback: it checks state, trades
// the code (with the PKCE verifier) for tokens, and verifies the ID token's
// signature, issuer, audience, expiry and nonce. The acr is the caller's to check.
func (c *Client) Exchange(ctx context.Context, st State, r *http.Request) (*Result, error) {
	code, err := c.callbackCode(st, r)
	if err != nil {
		return nil, err
	}
	d, err := c.discover(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := c.redeem(ctx, d, st, code)
	if err != nil {
		return nil, err
	}
	if tok.IDToken == "" {
		return nil, invalidErr("token response has no id_token")
	}
	signed, err := c.openNested(tok.IDToken, c.opts.RequireEncryptedIDToken)
	if err != nil {
		return nil, fmt.Errorf("id token: %w", err)
	}
	idt, err := d.verifier.Verify(ctx, signed)
	if err != nil {
		return nil, fmt.Errorf("id token: %w", verifyErr(err))
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return nil, invalidErr("id token nonce does not match the login")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, invalidErr("id token claims: %v", err)
	}
	return &Result{IDToken: idt, Claims: claims, RawIDToken: signed, AccessToken: tok.AccessToken}, nil
}

// redeem posts the code to the token endpoint with the configured client auth.
func (c *Client) redeem(ctx context.Context, d *discovered, st State, code string) (*tokenResponse, error) {
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {st.RedirectURI},
		"code_verifier": {st.Verifier},
	}
	switch c.opts.ClientAuth {
	case AuthPrivateKeyJWT:
		assertion, err := c.clientAssertion(d.tokenURL)
		if err != nil {
			return nil, err
		}
		form.Set("client_id", c.opts.ClientID)
		form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		form.Set("client_assertion", assertion)
	case AuthClientSecretPost:
		form.Set("client_id", c.opts.ClientID)
		form.Set("client_secret", c.opts.ClientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, upstreamErr(fmt.Errorf("token request: %w", err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if c.opts.ClientAuth == AuthClientSecretBasic {
		req.SetBasicAuth(url.QueryEscape(c.opts.ClientID), url.QueryEscape(c.opts.ClientSecret))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, upstreamErr(fmt.Errorf("token request: %w", err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, upstreamErr(fmt.Errorf("token response: %w", err))
	}
	var tok tokenResponse
	jsonErr := json.Unmarshal(body, &tok)
	switch {
	case resp.StatusCode == http.StatusBadRequest && tok.Error == "invalid_grant":
		// A code the upstream does not know for us: replayed or injected.
		return nil, invalidErr("token endpoint: %s: %s", tok.Error, tok.ErrorDesc)
	case resp.StatusCode != http.StatusOK:
		return nil, upstreamErr(fmt.Errorf("token endpoint: HTTP %d %s %s", resp.StatusCode, tok.Error, tok.ErrorDesc))
	case jsonErr != nil:
		return nil, upstreamErr(fmt.Errorf("token response: %w", jsonErr))
	}
	return &tok, nil
}

// clientAssertion is the private_key_jwt assertion (RFC 7523) for the token
// endpoint: iss = sub = client_id, aud = the token endpoint, short-lived, unique.
func (c *Client) clientAssertion(tokenURL string) (string, error) {
	signer, err := c.signer()
	if err != nil {
		return "", err
	}
	now := c.now()
	claims := jwt.Claims{
		Issuer:   c.opts.ClientID,
		Subject:  c.opts.ClientID,
		Audience: jwt.Audience{tokenURL},
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(requestObjectLifetime / 2)),
		ID:       randid.String(16),
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("sign client assertion: %w", err)
	}
	return raw, nil
}

// Encryption algorithms accepted for nested tokens.
var (
	keyAlgorithms     = []jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256}
	contentEncryption = []jose.ContentEncryption{jose.A128CBC_HS256, jose.A256GCM}
)

// openNested returns the signed JWT inside raw: raw itself when it is a JWS, or
// the decrypted payload of a JWE (which must declare cty JWT).
func (c *Client) openNested(raw string, requireEncrypted bool) (string, error) {
	if strings.Count(raw, ".") != 4 {
		if requireEncrypted {
			return "", invalidErr("token is not encrypted")
		}
		return raw, nil
	}
	if c.encrypt == nil {
		return "", invalidErr("token is encrypted but no encryption key is configured")
	}
	jwe, err := jose.ParseEncryptedCompact(raw, keyAlgorithms, contentEncryption)
	if err != nil {
		return "", invalidErr("parse encrypted token: %v", err)
	}
	if cty, _ := jwe.Header.ExtraHeaders[jose.HeaderContentType].(string); !strings.EqualFold(cty, "JWT") {
		return "", invalidErr("encrypted token has cty %q, want JWT (nested)", cty)
	}
	plain, err := jwe.Decrypt(c.encrypt.priv)
	if err != nil {
		return "", invalidErr("decrypt token: %v", err)
	}
	return string(plain), nil
}

// verifyErr sorts a go-oidc verification error: a failed key fetch is the
// upstream's failure, everything else a token that does not verify.
func verifyErr(err error) error {
	var expired *oidc.TokenExpiredError
	if !errors.As(err, &expired) && strings.Contains(err.Error(), "fetching keys") {
		return upstreamErr(err)
	}
	return fmt.Errorf("%w: %w", invalidErr("verification failed"), err)
}
