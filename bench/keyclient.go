package bench

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/internal/randid"
)

// keyClient is a relying party that authenticates with private_key_jwt and
// pushes its authorization requests (a FAPI 2.0 client such as dev mode's
// fapi-demo): a client assertion per call, with the issuer as its audience,
// and a DPoP proof per call from one key of the bench's own.
type keyClient struct {
	clientID, issuer string
	key              jose.JSONWebKey
	dpop             *ecdsa.PrivateKey
}

func newKeyClient(o Options) (*keyClient, error) {
	raw, err := os.ReadFile(o.ClientKeyFile)
	if err != nil {
		return nil, fmt.Errorf("client key: %w", err)
	}
	c := &keyClient{clientID: o.ClientID, issuer: o.Issuer}
	if err := c.key.UnmarshalJSON(raw); err != nil {
		return nil, fmt.Errorf("client key %s: %w", o.ClientKeyFile, err)
	}
	if c.key.IsPublic() || c.key.Algorithm == "" {
		return nil, fmt.Errorf("client key %s: want a private JWK with its alg", o.ClientKeyFile)
	}
	if c.dpop, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, fmt.Errorf("dpop key: %w", err)
	}
	return c, nil
}

func sign(key any, alg jose.SignatureAlgorithm, opts *jose.SignerOptions, claims map[string]any) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// post sends form to endpoint authenticated as the client, with a DPoP proof.
func (c *keyClient) post(ctx context.Context, browser *http.Client, endpoint string, form url.Values) (*http.Response, error) {
	now := time.Now()
	assertion, err := sign(c.key, jose.SignatureAlgorithm(c.key.Algorithm), (&jose.SignerOptions{}).WithType("JWT"), map[string]any{
		"iss": c.clientID, "sub": c.clientID, "aud": c.issuer, "jti": randid.New(),
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
	})
	if err != nil {
		return nil, fmt.Errorf("client assertion: %w", err)
	}
	proof, err := sign(c.dpop, jose.ES256, (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"), map[string]any{
		"jti": randid.New(), "htm": http.MethodPost, "htu": endpoint, "iat": now.Unix(),
	})
	if err != nil {
		return nil, fmt.Errorf("dpop proof: %w", err)
	}
	form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	form.Set("client_assertion", assertion)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("DPoP", proof)
	return browser.Do(req)
}

// push sends the authorization request to the PAR endpoint and returns where
// the browser starts: /authorize with client_id and request_uri only.
func (l *login) push(ctx context.Context, authorizeURL string) (string, error) {
	u, err := url.Parse(authorizeURL)
	if err != nil {
		return "", fail("par", err)
	}
	resp, err := l.t.keyClient.post(ctx, l.browser, l.t.par, u.Query())
	if err != nil {
		return "", fail("par: connection", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		_, _ = io.Copy(io.Discard, resp.Body)
		return "", fail(fmt.Sprintf("par: HTTP %d", resp.StatusCode), errors.New(resp.Status))
	}
	var pushed struct {
		RequestURI string `json:"request_uri"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&pushed); err != nil || pushed.RequestURI == "" {
		return "", fail("par: body", errors.Join(errors.New("no request_uri"), err))
	}
	return l.t.authorize + "?" + url.Values{"client_id": {l.t.o.ClientID}, "request_uri": {pushed.RequestURI}}.Encode(), nil
}
