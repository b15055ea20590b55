package broker_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/internal/testenv"
	"github.com/portvakt/portvakt/storage"
)

// twoReplicas starts two broker processes on one MariaDB database behind a
// round-robin front door at the issuer's address.
func twoReplicas(t *testing.T) (*frontDoor, [2]*replica) {
	t.Helper()
	dsn := testenv.MySQLDatabase(t)
	front := startFrontDoor(t, false)
	master := newMasterKey(t)
	var rs [2]*replica
	for i := range rs {
		cfg := front.config(t, dsn, master)
		cfg.Login.OrderRateLimit.PerBrowser = 2
		cfg.Login.OrderRateLimit.Window = config.Duration(24 * time.Hour)
		cfg.Login.SessionLifetime = config.Duration(time.Hour)
		rs[i] = front.startReplica(t, cfg)
		front.add(rs[i].url)
	}
	return front, rs
}

func TestReplicas(t *testing.T) {
	t.Parallel()
	front, rs := twoReplicas(t)
	mitidUser := front.sims.OIDC["dk-mitid"].TestUsers()[0]

	t.Run("a login's steps alternate between the processes", func(t *testing.T) {
		req := newAuthRequest(front.url)
		br := newBrowser(t)
		mark := front.count()
		atSim := br.visit(req.url(front.url, "urn:portvakt:eid:dk:mitid"))
		code := req.code(t, br.approveAtSimulator(atSim, mitidUser.NationalID))
		tr := req.exchange(t, front.url, code)
		if tr.status != http.StatusOK {
			t.Fatalf("token exchange: %d %s %s", tr.status, tr.Error, tr.ErrorDescription)
		}
		info := userinfo(t, front.url, tr.AccessToken)
		steps := front.servedSince(mark)
		claims := req.verify(t, tr.IDToken)

		var trail []string
		for _, s := range steps {
			trail = append(trail, fmt.Sprintf("%s@%d", s.path, s.backend))
		}
		t.Logf("steps: %s", strings.Join(trail, " → "))
		wantPaths := []string{"/authorize", "/login/", "/callback/dk-mitid", "/oauth/token", "/userinfo"}
		if len(steps) != len(wantPaths) {
			t.Fatalf("the broker served %d requests, want the %d steps %v", len(steps), len(wantPaths), wantPaths)
		}
		for i, s := range steps {
			if !strings.HasPrefix(s.path, wantPaths[i]) {
				t.Errorf("step %d was %s, want %s", i, s.path, wantPaths[i])
			}
			if i > 0 && s.backend == steps[i-1].backend {
				t.Errorf("steps %s and %s ran on the same process", steps[i-1].path, s.path)
			}
		}
		if claims["national_id"] != mitidUser.NationalID || claims["country"] != "DK" {
			t.Errorf("ID token claims %v", claims)
		}
		if info["sub"] != claims["sub"] || info["national_id"] != mitidUser.NationalID {
			t.Errorf("userinfo %v does not match the ID token %v", info, claims)
		}
	})

	t.Run("a browser session from one process is used by the other", func(t *testing.T) {
		br := newBrowser(t)
		first := newAuthRequest(front.url)
		atSim := br.visit(first.url(front.url, "urn:portvakt:eid:dk:mitid"))
		_, claims := first.redeem(t, first.code(t, br.approveAtSimulator(atSim, mitidUser.NationalID)))
		for i, r := range rs {
			again := newAuthRequest(front.url)
			back := br.visit(again.url(r.url, "urn:portvakt:eid:dk:mitid", "prompt", "none"))
			if back.rp == nil || back.rp.Get("code") == "" {
				t.Fatalf("prompt=none on process %d did not reuse the session: %v (%d at %s)", i, back.rp, back.status, back.url)
			}
			if _, reused := again.redeem(t, again.code(t, back)); reused["sub"] != claims["sub"] {
				t.Errorf("process %d: sub %v, want %v", i, reused["sub"], claims["sub"])
			}
		}
	})

	t.Run("a BankID order is polled to completion by both processes", func(t *testing.T) {
		req := newAuthRequest(front.url)
		br := newBrowser(t)
		mark := front.count()
		orderPage := br.visit(req.url(front.url, "urn:portvakt:eid:se:bankid:other-device"))
		if orderPage.status != http.StatusOK || !strings.HasPrefix(orderPage.url.Path, "/login/") {
			t.Fatalf("expected the order page, got %d at %s", orderPage.status, orderPage.url)
		}
		orders := front.sims.BankID.Orders()
		if len(orders) == 0 {
			t.Fatal("no order at the BankID simulator")
		}
		if _, err := front.sims.BankID.Approve(orders[0].Ref, ""); err != nil {
			t.Fatal(err)
		}
		next := br.awaitOrder(front.url, orderPage.url.Path, 15*time.Second)
		code := req.code(t, br.visit(next))
		_, claims := req.redeem(t, code)
		if claims["country"] != "SE" || claims["national_id"] == nil {
			t.Errorf("ID token claims %v", claims)
		}
		polledBy := map[int]bool{}
		for _, s := range front.servedSince(mark) {
			if strings.HasSuffix(s.path, "/status") {
				polledBy[s.backend] = true
			}
		}
		if len(polledBy) != 2 {
			t.Errorf("the order's status was polled on processes %v, want both", polledBy)
		}
	})

	t.Run("order rate limits count across the processes", func(t *testing.T) {
		limited := html.EscapeString(rs[0].broker.Themes.Translator("en")("error.rate_limited", "EID", "BankID"))
		br := newBrowser(t)
		for i := range 3 {
			at := rs[i%2]
			req := newAuthRequest(front.url)
			_, loc := br.peek(req.url(at.url, "urn:portvakt:eid:se:bankid:other-device", "login_hint", "sub:195203142392"))
			if loc == nil || !strings.HasPrefix(loc.Path, "/login/") {
				t.Fatalf("authorize: redirected to %v", loc)
			}
			page := br.visit(at.url + loc.Path)
			switch rateLimited := strings.Contains(page.body, limited); {
			case i < 2 && rateLimited:
				t.Fatalf("order %d was refused as too many", i+1)
			case i == 2 && !rateLimited:
				t.Fatalf("the third order from one browser within the window (two on the other process) was not limited: %d %.600s", page.status, page.body)
			}
			if i < 2 {
				br.visit(at.url + loc.Path + "/cancel")
			}
		}
	})

	t.Run("signing keys are the same on both processes", func(t *testing.T) {
		a, b := jwksKids(t, rs[0].url), jwksKids(t, rs[1].url)
		if strings.Join(a, ",") != strings.Join(b, ",") {
			t.Errorf("JWKS differ: %v and %v", a, b)
		}
	})

	// Last: it takes DK away from the client.
	t.Run("an admin change on one process is seen by the other", func(t *testing.T) {
		ctx := t.Context()
		startsMitID := func() (bool, string) {
			req := newAuthRequest(front.url)
			_, loc := newBrowser(t).peek(req.url(rs[1].url, "urn:portvakt:eid:dk:mitid"))
			if loc == nil {
				t.Fatal("authorize did not redirect")
			}
			if strings.HasPrefix(loc.String(), rpRedirect) {
				return false, loc.Query().Get("error")
			}
			return strings.HasPrefix(loc.Path, "/login/"), loc.String()
		}
		if ok, got := startsMitID(); !ok {
			t.Fatalf("before the change, MitID did not start on the second process: %s", got)
		}
		err := rs[0].broker.Store.UpdateClient(ctx, rpID, func(c storage.Client) (storage.Client, error) {
			var settings map[string]any
			if err := json.Unmarshal(c.Settings, &settings); err != nil {
				return c, err
			}
			settings["countries"] = []string{"SE"}
			var err error
			c.Settings, err = json.Marshal(settings)
			return c, err
		})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(3 * time.Second)
		for {
			ok, got := startsMitID()
			if !ok {
				if got != "unmet_authentication_requirements" {
					t.Errorf("after the change the relying party got %q, want unmet_authentication_requirements", got)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("3 s after the client lost DK on one process, the other still starts MitID for it")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// jwksKids lists the key ids a broker publishes.
func jwksKids(t *testing.T, base string) []string {
	t.Helper()
	resp, err := http.Get(base + "/keys")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || len(set.Keys) == 0 {
		t.Fatalf("JWKS of %s: %v, %d keys", base, err, len(set.Keys))
	}
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.Kid)
	}
	return out
}
