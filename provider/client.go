package provider

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/storage"
)

// Client is a relying party as the provider uses it: its run-time settings plus
// what is derived from them once (secret hash, parsed JWKS, lifetimes).
type Client struct {
	ClientSettings
	Source     string
	secretHash []byte
	jwks       *jose.JSONWebKeySet
	idTokenTTL time.Duration
	accessTTL  time.Duration
	// createdAt tells this client from an earlier one with the same id: what was
	// granted before it (tokens, single sign-on, remembered consent) belongs to
	// that earlier client, not to this one.
	createdAt time.Time
	// version is the version of the record this was decoded from.
	version int64
}

// HashSecret is how client secrets are stored: SHA-256, because secrets are
// high-entropy and the token endpoint is a hot path (no bcrypt).
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// newClient derives a Client from its settings. defaults are the broker-wide token
// lifetimes.
func newClient(settings config.Client, source string, defaults config.Tokens) (*Client, error) {
	c := &Client{ClientSettings: settingsOf(settings), Source: source}
	if c.SecretHash != "" {
		b, err := hex.DecodeString(c.SecretHash)
		if err != nil {
			return nil, fmt.Errorf("client %s: secret_hash: %w", c.ID, err)
		}
		c.secretHash = b
	}
	if len(settings.JWKS) > 0 {
		// Validation refuses a JWKS with a bad key; a client stored before that rule
		// keeps its usable keys, and private_key_jwt fails only for the others.
		c.jwks, _ = settings.ParseJWKS()
	}
	c.idTokenTTL = pick(settings.IDTokenLifetime.D(), defaults.IDToken.D())
	c.accessTTL = pick(settings.AccessTokenLifetime.D(), defaults.AccessToken.D())
	return c, nil
}

// Home is the client's home page for a way back from an error page: client_uri,
// else the origin of the first https (or loopback http) redirect URI; "" when
// the client has neither. Only registered URLs, so the link cannot be steered.
func (c *Client) Home() string {
	if c.ClientURI != "" {
		return c.ClientURI
	}
	for _, raw := range c.RedirectURIs {
		u, err := url.Parse(raw)
		if err != nil || config.ValidateHTTPSURL(raw) != nil {
			continue
		}
		return u.Scheme + "://" + u.Host + "/"
	}
	return ""
}

func pick(v, fallback time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return fallback
}

// clientFromRecord decodes a stored client.
func clientFromRecord(rec storage.Client, defaults config.Tokens) (*Client, error) {
	settings, err := DecodeClient(rec)
	if err != nil {
		return nil, err
	}
	if settings.Disabled {
		return nil, fmt.Errorf("client %s is disabled: %w", rec.ID, storage.ErrNotFound)
	}
	c, err := newClient(settings, rec.Source, defaults)
	if err != nil {
		return nil, err
	}
	c.createdAt, c.version = rec.CreatedAt, rec.Version
	return c, nil
}

// predates reports whether something granted at t was granted to an earlier
// client with this id.
func (c *Client) predates(t time.Time) bool { return t.Before(c.createdAt) }

// CheckSecret compares in constant time.
func (c *Client) CheckSecret(secret string) bool {
	if len(c.secretHash) == 0 || secret == "" {
		return false
	}
	sum := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(sum[:], c.secretHash) == 1
}

// MayReceive reports whether the client is allowed a restricted scope.
func (c *Client) MayReceive(scope string) bool { return slices.Contains(c.Scopes, scope) }

// AllowsEID reports whether the client accepts the connector, and may have
// its identities: an eID whose identities travel only encrypted is not
// offered to a client without an ID token encryption key.
func (c *Client) AllowsEID(info connectors.Info) bool {
	if info.EncryptedTokensOnly && c.IDTokenEncryption.Alg == "" {
		return false
	}
	if len(c.Countries) == 0 && len(c.EIDs) == 0 {
		return true
	}
	return slices.Contains(c.EIDs, info.ID) || slices.ContainsFunc(c.Countries, info.Serves)
}

// DisplayName is what the person is logging in to.
func (c *Client) DisplayName() string {
	if c.Theme.DisplayName != "" {
		return c.Theme.DisplayName
	}
	return c.Name
}

// publicKey finds a key of the client's JWKS for private_key_jwt.
func (c *Client) publicKey(ctx context.Context, keyID string, fetch func(context.Context, string) (*jose.JSONWebKeySet, error)) (*jose.JSONWebKey, error) {
	set := c.jwks
	if set == nil && c.JWKSURL != "" {
		// Checked again here for clients stored before the rule existed.
		if err := config.ValidateHTTPSURL(c.JWKSURL); err != nil {
			return nil, fmt.Errorf("client %s: jwks_uri: %w", c.ID, err)
		}
		var err error
		if set, err = fetch(ctx, c.JWKSURL); err != nil {
			return nil, err
		}
	}
	if set == nil {
		return nil, fmt.Errorf("client %s has no jwks", c.ID)
	}
	for i := range set.Keys {
		k := set.Keys[i]
		// A symmetric or private key published at jwks_uri is no proof of anything.
		if (keyID == "" || k.KeyID == keyID) && k.Use != "enc" && k.IsPublic() {
			return &k, nil
		}
	}
	return nil, fmt.Errorf("client %s: no key %q", c.ID, keyID)
}
