package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// signingAlgs are the ID token algorithms the broker may use.
var signingAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.PS256, jose.EdDSA}

// keySet is the broker's JWKS, fetched once and again only for an unknown kid.
type keySet struct {
	url    string
	client *http.Client
	mu     sync.RWMutex
	byKid  map[string]any
	// verifiedAlgs holds the algorithms of the ID tokens verified, for the report:
	// the client's configuration, not the bench, decides which it is.
	verifiedAlgs sync.Map
}

// algorithms are the ID token algorithms verified so far, sorted.
func (k *keySet) algorithms() []string {
	var algs []string
	k.verifiedAlgs.Range(func(alg, _ any) bool {
		algs = append(algs, alg.(string))
		return true
	})
	slices.Sort(algs)
	return algs
}

func (k *keySet) refresh(ctx context.Context) error {
	var set jose.JSONWebKeySet
	if err := getJSON(ctx, k.client, k.url, &set); err != nil {
		return fmt.Errorf("jwks: %w", err)
	}
	byKid := map[string]any{}
	for _, key := range set.Keys {
		byKid[key.KeyID] = key.Key
	}
	k.mu.Lock()
	k.byKid = byKid
	k.mu.Unlock()
	return nil
}

func (k *keySet) key(ctx context.Context, kid string) (any, error) {
	k.mu.RLock()
	key, ok := k.byKid[kid]
	k.mu.RUnlock()
	if ok {
		return key, nil
	}
	if err := k.refresh(ctx); err != nil {
		return nil, err
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	if key, ok := k.byKid[kid]; ok {
		return key, nil
	}
	return nil, fmt.Errorf("no key %q in the JWKS", kid)
}

// idClaims are the claims a relying party must check.
type idClaims struct {
	Issuer   string          `json:"iss"`
	Audience json.RawMessage `json:"aud"`
	Nonce    string          `json:"nonce"`
	Expiry   int64           `json:"exp"`
	Subject  string          `json:"sub"`
}

// verifyIDToken checks the signature against the JWKS and the claims a relying
// party checks: issuer, audience, nonce, expiry.
func (k *keySet) verifyIDToken(ctx context.Context, raw, issuer, clientID, nonce string) error {
	jws, err := jose.ParseSignedCompact(raw, signingAlgs)
	if err != nil {
		return err
	}
	if len(jws.Signatures) != 1 {
		return errors.New("not exactly one signature")
	}
	key, err := k.key(ctx, jws.Signatures[0].Header.KeyID)
	if err != nil {
		return err
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return err
	}
	k.verifiedAlgs.LoadOrStore(jws.Signatures[0].Header.Algorithm, true)
	var c idClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return err
	}
	var aud []string
	if err := json.Unmarshal(c.Audience, &aud); err != nil {
		var one string
		if err := json.Unmarshal(c.Audience, &one); err != nil {
			return fmt.Errorf("aud: %w", err)
		}
		aud = []string{one}
	}
	switch {
	case c.Issuer != issuer:
		return fmt.Errorf("iss %q", c.Issuer)
	case !slices.Contains(aud, clientID):
		return fmt.Errorf("aud %v", aud)
	case c.Nonce != nonce:
		return errors.New("nonce differs")
	case c.Subject == "":
		return errors.New("no sub")
	case time.Unix(c.Expiry, 0).Before(time.Now()):
		return errors.New("expired")
	}
	return nil
}
