package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/themes"
)

// ClientIP is the caller's address as the audit trail records it, for the admin
// API as for logins.
func (s *base) ClientIP(r *http.Request) string { return s.clientIP(r) }

// clientIP is the person's address: the peer, or the last untrusted address in
// X-Forwarded-For when the peer is a trusted proxy (RFC 9700 §4.13).
func (s *base) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !s.trusted(host) {
		return host
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if net.ParseIP(hop) == nil {
			break
		}
		if !s.trusted(hop) {
			return hop
		}
		host = hop
	}
	return host
}

func (s *base) trusted(ip string) bool {
	parsed := net.ParseIP(ip)
	for _, n := range s.proxies {
		if parsed != nil && n.Contains(parsed) {
			return true
		}
	}
	return false
}

// limitOrders counts order starts per client IP and per browser: each order costs
// the operator money, and a flood can lock a person out (BankID refuses a second
// order for a person). It never counts the person a login_hint names: that is
// unverified, and counting it would let anyone lock that person out.
func (s *logins) limitOrders(ctx context.Context, ip, browser string) error {
	rl := s.cfg.Login.OrderRateLimit
	window := rl.Window.D()
	start := s.now().Truncate(window)
	for _, c := range []struct {
		kind, value string
		limit       int
	}{
		{"orders:ip", ip, rl.PerIP},
		{"orders:browser", browser, rl.PerBrowser},
	} {
		if c.limit <= 0 {
			continue
		}
		n, err := s.store.Hit(ctx, s.counterKey(c.kind, c.value), start, start.Add(2*window))
		if err != nil {
			return fmt.Errorf("%w: rate counter: %v", connectors.ErrUpstream, err) //nolint:errorlint // the login fails as an upstream failure; the counter's cause is for the log only
		}
		if n > int64(c.limit) {
			return connectors.ErrRateLimited
		}
	}
	return nil
}

// counterKey names a rate counter without storing what it counts: addresses and
// browsers are personal data, so the key is keyed-hashed under a server secret
// (an unkeyed hash of an address or personal number is reversed in seconds).
func (s *logins) counterKey(kind, value string) string {
	return kind + ":" + pairwiseSubject(s.rateSecret, kind, value)
}

// clientTheme is the client's look on the login pages.
func (s *pages) clientTheme(c *Client) themes.Theme {
	t := themes.Theme{DisplayName: c.DisplayName(), LogoURL: c.Theme.LogoURL, SupportURL: c.Theme.SupportURL}
	if c.Theme.PrimaryColor != "" || c.Theme.Background != "" || c.Theme.PrimaryText != "" || c.Theme.CustomCSS != "" {
		t.StylesheetURL = "/theme/" + c.ID + ".css"
	}
	return t
}

// clientCSS serves a client's colours as a stylesheet (the CSP allows no inline style).
func (s *pages) clientCSS(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimSuffix(r.PathValue("file"), ".css")
	c, err := s.clients.Get(r.Context(), id)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	css, err := themes.ThemeCSS(c.Theme.PrimaryColor, c.Theme.PrimaryText, c.Theme.Background)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write([]byte(css))
	if c.Theme.CustomCSS != "" {
		_, _ = w.Write([]byte("\n/* " + c.ID + " */\n" + c.Theme.CustomCSS + "\n"))
	}
}

// connectorJWKS publishes a connector's own public keys (FTN needs the broker's
// signing and encryption keys at a stable URL).
func (s *Server) connectorJWKS(w http.ResponseWriter, r *http.Request) {
	c, ok := s.conns[r.PathValue("id")]
	pub, has := c.(connectors.KeyPublisher)
	if !ok || !has {
		http.NotFound(w, r)
		return
	}
	set := pub.PublicJWKS()
	if len(set.Keys) == 0 {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeJSONCacheable(w, set)
}

type cachedJWKS struct {
	set     *jose.JSONWebKeySet
	fetched time.Time
}

// fetchJWKS reads a client's jwks_uri, cached for five minutes.
func (s *base) fetchJWKS(ctx context.Context, url string) (*jose.JSONWebKeySet, error) {
	s.jwksMu.Lock()
	c, ok := s.jwksCache[url]
	s.jwksMu.Unlock()
	if ok && s.now().Sub(c.fetched) < 5*time.Minute {
		return c.set, nil
	}
	// The URL is a client's registered jwks_uri (https, checked when the client
	// was registered and again by publicKey), never a request's parameter.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil) //nolint:gosec // G704: see above
	if err != nil {
		return nil, err
	}
	resp, err := s.http.Do(req) //nolint:gosec // G704: see above
	if err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks %s: status %d", url, resp.StatusCode)
	}
	set := new(jose.JSONWebKeySet)
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20)).Decode(set); err != nil {
		return nil, fmt.Errorf("decode jwks %s: %w", url, err)
	}
	s.jwksMu.Lock()
	s.jwksCache[url] = cachedJWKS{set: set, fetched: s.now()}
	s.jwksMu.Unlock()
	return set, nil
}

func lower(s string) string { return strings.ToLower(s) }

func underscore(s string) string { return strings.ReplaceAll(s, "-", "_") }
