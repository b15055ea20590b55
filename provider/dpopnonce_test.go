package provider_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
)

func withDPoPNonces(cfg *config.Config, _ *[]connectors.Connector) { cfg.Tokens.DPoPNonces = true }

// With tokens.dpop_nonces a proof must carry a nonce the broker gave (RFC 9449
// §8, §9): without one, or with a forged or expired one, the token endpoint
// answers use_dpop_nonce with a fresh nonce in DPoP-Nonce, and userinfo the
// same as its one challenge; with it, the request goes through.
func TestDPoPServerNonces(t *testing.T) {
	b := newBroker(t, withDPoPNonces)
	key := newDPoPKey(t)
	tokenURL, userinfoURL := b.URL+"/oauth/token", b.URL+"/userinfo"
	withNonce := func(method, u, at, nonce string) string {
		p := key.spec(t, method, u, at, b.clock.now())
		if nonce != "" {
			p.claims["nonce"] = nonce
		}
		return key.encode(t, p)
	}
	g := dpopCode(t, b, "rp1", "rp1-secret-0123456789", nil)
	first := g.redeem(t, b, withNonce("POST", tokenURL, "", ""))
	nonce := first.header.Get("DPoP-Nonce")
	if first.status != http.StatusBadRequest || first.Error != "use_dpop_nonce" || nonce == "" {
		t.Fatalf("proof without a nonce: %d %q, DPoP-Nonce %q; want 400 use_dpop_nonce with a nonce", first.status, first.Error, nonce)
	}
	if a := g.redeem(t, b, withNonce("POST", tokenURL, "", nonce[:len(nonce)-2]+"AA")); a.Error != "use_dpop_nonce" {
		t.Errorf("forged nonce: %d %q; want use_dpop_nonce", a.status, a.Error)
	}
	tok := g.redeem(t, b, withNonce("POST", tokenURL, "", nonce))
	if tok.status != http.StatusOK || tok.TokenType != "DPoP" {
		t.Fatalf("proof with the nonce: %d %q %s", tok.status, tok.Error, tok.Description)
	}

	req, _ := http.NewRequest(http.MethodGet, userinfoURL, nil)
	req.Header.Set("Authorization", "DPoP "+tok.AccessToken)
	req.Header.Set("DPoP", withNonce("GET", userinfoURL, tok.AccessToken, ""))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	challenges := resp.Header.Values("WWW-Authenticate")
	if resp.StatusCode != http.StatusUnauthorized || len(challenges) != 1 || !strings.HasPrefix(challenges[0], `DPoP error="use_dpop_nonce"`) || resp.Header.Get("DPoP-Nonce") == "" {
		t.Errorf("userinfo without a nonce: %d %q, DPoP-Nonce %q; want 401 with one use_dpop_nonce challenge and a nonce", resp.StatusCode, challenges, resp.Header.Get("DPoP-Nonce"))
	}
	if status, h := callUserinfo(t, b, "DPoP "+tok.AccessToken, withNonce("GET", userinfoURL, tok.AccessToken, resp.Header.Get("DPoP-Nonce"))); status != http.StatusOK {
		t.Errorf("userinfo with the nonce: %d %q", status, h)
	}

	b.clock.advance(6 * time.Minute)
	if a := dpopCode(t, b, "rp1", "rp1-secret-0123456789", url.Values{}).redeem(t, b, withNonce("POST", tokenURL, "", nonce)); a.Error != "use_dpop_nonce" {
		t.Errorf("expired nonce: %d %q; want use_dpop_nonce", a.status, a.Error)
	}
}
