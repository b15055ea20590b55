package provider_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/sebankid"
	"github.com/portvakt/portvakt/connectors/sebankid/sim"
)

// withBankIDSimulator adds Swedish BankID, talking to its simulator over mutual
// TLS exactly as in production but for the base URL and trust material.
func withBankIDSimulator(t *testing.T, s *sim.Simulator) brokerOption {
	t.Helper()
	api, err := s.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := s.IssueClientCert("portvakt test")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &sebankid.Config{BaseURL: api, CAPEM: string(s.CAPEM()), CertPEM: string(certPEM), KeyPEM: string(keyPEM)}
	conn, err := cfg.Open(t.Context(), "se-bankid", connectors.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return func(c *config.Config, extra *[]connectors.Connector) {
		c.Connectors = append(c.Connectors, config.Connector{ID: "se-bankid", Type: "test"})
		*extra = append(*extra, conn)
	}
}

func newBankIDSimulator(t *testing.T) *sim.Simulator {
	t.Helper()
	s, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const bankIDOption = "se-bankid/" + sebankid.MethodOtherDevice

// A BankID order a login no longer runs is cancelled at BankID: the one a new
// choice replaces, and the one an expired login left open.
func TestAbandonedBankIDOrdersAreCancelledUpstream(t *testing.T) {
	s := newBankIDSimulator(t)
	b := newBroker(t, withBankIDSimulator(t, s))

	for _, tc := range []struct{ name, next string }{
		{"replaced by a new BankID order", bankIDOption},
		{"replaced by another eID", "se-test/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := stopAtCallback(t)
			l, ref := startBankIDLogin(t, b, c, s)
			resp := post(t, c, l.url, url.Values{"option": {tc.next}, "csrf_token": {l.csrf}})
			resp.Body.Close()
			if resp.StatusCode >= 400 {
				t.Fatalf("choosing %s again: status %d", tc.next, resp.StatusCode)
			}
			if !cancelledAt(t, s, ref) {
				t.Errorf("the replaced order %s was not cancelled at BankID; orders there: %+v", ref, s.Orders())
			}
		})
	}

	t.Run("the person cancels", func(t *testing.T) {
		c := stopAtCallback(t)
		l, ref := startBankIDLogin(t, b, c, s)
		cancel(t, c, l)
		if !cancelledAt(t, s, ref) {
			t.Errorf("the cancelled login's order %s is still open at BankID", ref)
		}
	})

	t.Run("the login expires", func(t *testing.T) {
		c := stopAtCallback(t)
		_, ref := startBankIDLogin(t, b, c, s)
		b.clock.advance(16 * time.Minute) // past login.lifetime (15m)
		b.server.PurgeNow(t.Context())
		if !cancelledAt(t, s, ref) {
			t.Errorf("the expired login's order %s is still open at BankID", ref)
		}
	})
}

// startBankIDLogin starts a BankID order from the login page and returns the
// login and the order's reference at the simulator.
func startBankIDLogin(t *testing.T, b *broker, c *http.Client, s *sim.Simulator) (*runningLogin, string) {
	t.Helper()
	q := url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"},
		"redirect_uri": {rpRedirect}, "state": {"st"}}
	page := get(t, c, b.URL+"/authorize?"+q.Encode())
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	m := csrfField.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("no login page: %d %.300s", page.StatusCode, body)
	}
	l := &runningLogin{url: page.Request.URL.String(), csrf: m[1]}
	before := orderRefs(s)
	resp := post(t, c, l.url, url.Values{"option": {bankIDOption}, "csrf_token": {l.csrf}})
	resp.Body.Close()
	for _, o := range s.Orders() {
		if !slices.Contains(before, o.Ref) {
			return l, o.Ref
		}
	}
	t.Fatalf("no new order at the BankID simulator (status %d)", resp.StatusCode)
	return nil, ""
}

func orderRefs(s *sim.Simulator) []string {
	var out []string
	for _, o := range s.Orders() {
		out = append(out, o.Ref)
	}
	return out
}

// cancelledAt reports whether BankID was asked to cancel ref and no longer has
// it open.
func cancelledAt(t *testing.T, s *sim.Simulator, ref string) bool {
	t.Helper()
	asked := false
	for _, r := range s.RequestsTo("cancel") {
		var body struct {
			OrderRef string `json:"orderRef"`
		}
		if json.Unmarshal(r.Body, &body) == nil && body.OrderRef == ref {
			asked = true
		}
	}
	o, open := s.Order(ref)
	return asked && (!open || o.Status != "pending")
}
