package oidcup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/connectors"
)

// Options configure a Client. The connector fills the parts that are fixed by the
// upstream's profile; Upstream comes from the operator's config.
type Options struct {
	Upstream
	// Scopes to ask for; "openid" is added when missing.
	Scopes []string
	// RequestObject is RequestObjectNone, RequestObjectSigned or RequestObjectOnly.
	RequestObject string
	// RequireEncryptedIDToken refuses ID tokens that are not JWE (FTN).
	RequireEncryptedIDToken bool
	// RequireEncryptionKey makes an encryption key mandatory at start (FTN).
	RequireEncryptionKey bool
	// HTTPClient is copied and given the timeout; nil means http.DefaultTransport.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Now is the clock for assertions, request objects and token expiry.
	Now func() time.Time
}

// Client talks to one upstream OpenID provider.
type Client struct {
	opts    Options
	http    *http.Client
	log     *slog.Logger
	now     func() time.Time
	signing *keyPair
	encrypt *keyPair

	mu       sync.Mutex
	upstream *discovered
}

// discovered is the upstream's metadata, fetched once on first use so that a
// broker can start while the upstream (or an in-process simulator) is not yet up.
type discovered struct {
	authURL      string
	tokenURL     string
	userinfoURL  string
	keys         *oidc.RemoteKeySet
	verifier     *oidc.IDTokenVerifier
	tokenMethods []string
}

// New checks the options and loads or generates the client's keys. It does not
// contact the upstream.
func New(opts Options) (*Client, error) {
	if opts.Issuer == "" || opts.ClientID == "" {
		return nil, errors.New("oidcup: issuer and client_id are required")
	}
	if opts.ClientAuth == "" {
		opts.ClientAuth = AuthClientSecretBasic
		if opts.ClientSecret == "" {
			opts.ClientAuth = AuthPrivateKeyJWT
		}
	}
	switch opts.ClientAuth {
	case AuthPrivateKeyJWT:
	case AuthClientSecretBasic, AuthClientSecretPost:
		if opts.ClientSecret == "" {
			return nil, fmt.Errorf("oidcup: client_auth %s needs client_secret", opts.ClientAuth)
		}
	default:
		return nil, fmt.Errorf("oidcup: unknown client_auth %q", opts.ClientAuth)
	}
	switch opts.RequestObject {
	case RequestObjectNone, RequestObjectSigned, RequestObjectOnly:
	default:
		return nil, fmt.Errorf("oidcup: unknown request_object mode %q", opts.RequestObject)
	}
	if !slices.Contains(opts.Scopes, "openid") {
		opts.Scopes = append([]string{"openid"}, opts.Scopes...)
	}
	c := &Client{opts: opts, log: opts.Logger, now: opts.Now}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	timeout := time.Duration(opts.Timeout)
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	c.http = &http.Client{}
	if opts.HTTPClient != nil {
		copied := *opts.HTTPClient
		c.http = &copied
	}
	c.http.Timeout = timeout

	var err error
	if c.signing, err = loadKey("signing", opts.SigningKeyPEM, opts.SigningKeyFile); err != nil {
		return nil, fmt.Errorf("oidcup: %w", err)
	}
	if c.encrypt, err = loadKey("encryption", opts.EncryptionKeyPEM, opts.EncryptionKeyFile); err != nil {
		return nil, fmt.Errorf("oidcup: %w", err)
	}
	needSigning := opts.ClientAuth == AuthPrivateKeyJWT || opts.RequestObject != RequestObjectNone
	needEncryption := opts.RequireEncryptionKey || opts.RequireEncryptedIDToken
	if c.signing == nil && needSigning {
		if !opts.GenerateKeys {
			return nil, errors.New("oidcup: a signing key is required (signing_key_pem or signing_key_file; generate_keys for development)")
		}
		if c.signing, err = generateKeyPair(); err != nil {
			return nil, fmt.Errorf("oidcup: %w", err)
		}
	}
	if c.encrypt == nil && needEncryption {
		if !opts.GenerateKeys {
			return nil, errors.New("oidcup: an encryption key is required (encryption_key_pem or encryption_key_file; generate_keys for development)")
		}
		if c.encrypt, err = generateKeyPair(); err != nil {
			return nil, fmt.Errorf("oidcup: %w", err)
		}
	}
	return c, nil
}

// Issuer is the upstream issuer URL.
func (c *Client) Issuer() string { return c.opts.Issuer }

// ClientID is the client id at the upstream.
func (c *Client) ClientID() string { return c.opts.ClientID }

// PublicJWKS is the public half of the client's keys: the signing key (use sig,
// RS256) and the encryption key (use enc, RSA-OAEP). The broker serves it at a
// stable URL that is registered with the upstream.
func (c *Client) PublicJWKS() jose.JSONWebKeySet {
	var set jose.JSONWebKeySet
	if c.signing != nil {
		set.Keys = append(set.Keys, jose.JSONWebKey{
			Key: &c.signing.priv.PublicKey, KeyID: c.signing.kid, Use: "sig", Algorithm: string(jose.RS256),
		})
	}
	if c.encrypt != nil {
		set.Keys = append(set.Keys, jose.JSONWebKey{
			Key: &c.encrypt.priv.PublicKey, KeyID: c.encrypt.kid, Use: "enc", Algorithm: string(jose.RSA_OAEP),
		})
	}
	return set
}

// discover returns the upstream metadata, fetching it on first use.
func (c *Client) discover(ctx context.Context) (*discovered, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.upstream != nil {
		return c.upstream, nil
	}
	clientCtx := oidc.ClientContext(ctx, c.http)
	p, err := oidc.NewProvider(clientCtx, c.opts.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery at %s: %w", c.opts.Issuer, upstreamErr(err))
	}
	var meta struct {
		JWKSURI      string   `json:"jwks_uri"`
		TokenMethods []string `json:"token_endpoint_auth_methods_supported"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, fmt.Errorf("discovery at %s: %w", c.opts.Issuer, upstreamErr(err))
	}
	if meta.JWKSURI == "" || p.Endpoint().AuthURL == "" || p.Endpoint().TokenURL == "" {
		return nil, fmt.Errorf("discovery at %s: %w: missing jwks_uri, authorization or token endpoint", c.opts.Issuer, connectors.ErrUpstream)
	}
	// The key set keeps the client (and its timeout) but ignores this request's
	// cancellation, since it outlives it.
	keys := oidc.NewRemoteKeySet(oidc.ClientContext(context.WithoutCancel(ctx), c.http), meta.JWKSURI)
	d := &discovered{
		authURL:      p.Endpoint().AuthURL,
		tokenURL:     p.Endpoint().TokenURL,
		userinfoURL:  p.UserInfoEndpoint(),
		keys:         keys,
		tokenMethods: meta.TokenMethods,
		verifier: oidc.NewVerifier(c.opts.Issuer, keys, &oidc.Config{
			ClientID: c.opts.ClientID,
			Now:      c.now,
		}),
	}
	c.upstream = d
	return d, nil
}

func scopeString(scopes []string) string { return strings.Join(scopes, " ") }

// Logger is the client's logger, for the connector to share.
func (c *Client) Logger() *slog.Logger { return c.log }
