package provider_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
)

// Order limits count what the requester controls (its address, its browser),
// never the unverified person a login_hint names: nobody can lock a person out
// of their own login, and the counters hold nothing that identifies the person.
func TestOrderLimitsCountRequestersNotHintedPeople(t *testing.T) {
	b := newBroker(t, func(cfg *config.Config, _ *[]connectors.Connector) {
		cfg.TrustedProxies = []string{"127.0.0.0/8"}
		cfg.Login.OrderRateLimit = config.RateLimit{PerIP: 3, PerBrowser: 2, Window: config.Duration(10 * time.Minute)}
	})
	const victim = "198507099805"
	// Orders stay pending, so each page shows its QR code.
	pending := []connectors.Progress{{Status: connectors.StatusPending}, {Status: connectors.StatusPending}}
	b.orders.script[victim], b.orders.script[""] = pending, pending

	t.Run("hinted starts from others do not stop the person's own login", func(t *testing.T) {
		for i := range 12 {
			orderStarts(t, b, browserAt(t, fmt.Sprintf("203.0.113.%d", i+1)), victim)
		}
		if !orderStarts(t, b, browserAt(t, "198.51.100.7"), victim) {
			t.Fatal("the person's own login was refused after others started orders naming them")
		}
	})
	t.Run("the per-browser limit bites", func(t *testing.T) {
		c := browserAt(t, "198.51.100.20")
		for i := range 2 {
			if !orderStarts(t, b, c, "") {
				t.Fatalf("order %d in one browser was refused", i+1)
			}
		}
		if orderStarts(t, b, c, "") {
			t.Error("a third order within the window in one browser was not limited")
		}
	})
	t.Run("the per-address limit bites", func(t *testing.T) {
		for i := range 3 {
			if !orderStarts(t, b, browserAt(t, "198.51.100.30"), "") {
				t.Fatalf("order %d from one address was refused", i+1)
			}
		}
		if orderStarts(t, b, browserAt(t, "198.51.100.30"), "") {
			t.Error("a fourth order within the window from one address was not limited")
		}
	})
	t.Run("counter keys hold no personal number, hash of one or address", func(t *testing.T) {
		sum := sha256.Sum256([]byte(victim))
		rows, err := b.store.DB().QueryContext(t.Context(), "SELECT counter_key FROM rate_counters")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var key string
			if err := rows.Scan(&key); err != nil {
				t.Fatal(err)
			}
			n++
			for _, secret := range []string{victim, hex.EncodeToString(sum[:]), "203.0.113.", "198.51.100."} {
				if strings.Contains(key, secret) {
					t.Errorf("counter key %q holds %q", key, secret)
				}
			}
		}
		if n == 0 {
			t.Fatal("no rate counters were written")
		}
	})
}

// browserAt is a browser whose requests reach the broker through a trusted proxy
// from ip.
func browserAt(t *testing.T, ip string) *http.Client {
	c := browser(t)
	c.Transport = forwardedFor{ip: ip}
	return c
}

type forwardedFor struct{ ip string }

func (f forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.ip)
	return http.DefaultTransport.RoundTrip(r)
}

// orderStarts opens a login for the order eID, hinted at person unless empty,
// and reports whether the order started (rather than being refused as too many).
func orderStarts(t *testing.T, b *broker, c *http.Client, person string) bool {
	t.Helper()
	q := url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect},
		"acr_values": {"urn:portvakt:eid:se:order"}, "ui_locales": {"en"}, "state": {"o"}}
	if person != "" {
		q.Set("login_hint", "sub:"+person)
	}
	resp := get(t, c, b.URL+"/authorize?"+q.Encode())
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	started := strings.Contains(string(body), "data:image/png;base64,")
	if !started && !strings.Contains(string(body), "Too many attempts") {
		t.Fatalf("neither an order nor the rate limit: %d %.400s", resp.StatusCode, body)
	}
	return started
}
