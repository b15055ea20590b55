package agentconsole_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/admin"
	"github.com/portvakt/portvakt/audit"
	"github.com/portvakt/portvakt/internal/fakeciba"
	"github.com/portvakt/portvakt/internal/nationalid"
	"github.com/portvakt/portvakt/internal/testid"
)

var caller = fakeciba.Person{NationalID: testid.Personnummer(time.Date(1990, 2, 14, 0, 0, 0, 0, time.UTC), 123), Country: "SE", Name: "Tove Testring"}

type status struct {
	State string `json:"state"`
	Name  string `json:"name"`
	Match bool   `json:"match"`
	Level string `json:"level"`
	At    string `json:"at"`
}

type started struct {
	ID     string `json:"id"`
	Status status `json:"status"`
}

func startInput(number string) map[string]string {
	return map[string]string{"country": "SE", "number": number, "call_initiator": "rp", "reason": "Card blocked", "binding_message": "Anna at Acme Bank"}
}

// waitFor asks for the status until it leaves pending (the console polls the
// broker no faster than the interval it was given).
func waitFor(t *testing.T, a *agent, id string) status {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var s status
		if code := a.call(t, "/agent/api/verifications/"+id+"/status", nil, &s); code != http.StatusOK {
			t.Fatalf("status: %d", code)
		}
		if s.State != "pending" {
			return s
		}
	}
	t.Fatal("the verification stayed pending")
	return status{}
}

// defaultKeys are the person keys of dev mode's default persons.
func defaultKeys(e *env) []string {
	var out []string
	for _, p := range e.dev.Simulators.DefaultPeople() {
		if _, normal, err := nationalid.Recognize(p.NationalID, ""); err == nil {
			out = append(out, e.dev.Broker.Admin.Service.PersonKeyOfNationalID(normal))
		}
	}
	return out
}

// TestAgentVerifiesACaller: an agent signs in with a simulated eID and
// verifies a caller: the console sends the contract's request (the caller's
// number as login_hint, call_initiator, reason, binding message, the agent as
// portvakt:<person key>), polls until the caller approved, and shows the
// verified name, that it matches, the level and the time; then clears it.
func TestAgentVerifiesACaller(t *testing.T) {
	e := start(t, caller)
	a := signIn(t, e, "/agent", "dk-mitid")
	if a.csrf == "" {
		t.Fatal("the console page carries no CSRF token")
	}
	var s started
	if code := a.call(t, "/agent/api/verifications", startInput(caller.NationalID[2:8]+"-"+caller.NationalID[8:]), &s); code != http.StatusCreated {
		t.Fatalf("start: %d", code)
	}
	if s.Status.State != "pending" {
		t.Errorf("a new verification is %q", s.Status.State)
	}
	reqs := e.ciba.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the CIBA endpoint got %d requests", len(reqs))
	}
	got := reqs[0]
	if got.LoginHint != "se-pnr:"+caller.NationalID || got.CallInitiator != "rp" || got.Reason != "Card blocked" ||
		got.BindingMessage != "Anna at Acme Bank" || !strings.Contains(got.Scope, "openid") {
		t.Errorf("CIBA request %+v", got)
	}
	if !audit.IsConsoleAgent(got.Agent) || !slices.Contains(defaultKeys(e), strings.TrimPrefix(got.Agent, audit.ConsoleAgentPrefix)) {
		t.Errorf("agent %q is not portvakt:<the signed-in person's key>", got.Agent)
	}
	e.ciba.Finish(fakeciba.Approved, nil)
	result := waitFor(t, a, s.ID)
	if result.State != "approved" || result.Name != caller.Name || !result.Match || !strings.HasSuffix(result.Level, "/substantial") || result.At == "" {
		t.Errorf("result %+v", result)
	}
	if code := a.call(t, "/agent/api/verifications/"+s.ID+"/clear", nil, nil); code != http.StatusNoContent {
		t.Errorf("clear: %d", code)
	}
	if code := a.call(t, "/agent/api/verifications/"+s.ID+"/status", nil, nil); code != http.StatusNotFound {
		t.Errorf("status after clear: %d, want 404", code)
	}
}

// TestAnotherPersonApproving is no match, and a declined verification says so.
func TestAnotherPersonApprovingAndDeclining(t *testing.T) {
	e := start(t, caller)
	a := signIn(t, e, "/agent", "dk-mitid")
	var s started
	a.call(t, "/agent/api/verifications", startInput(caller.NationalID), &s)
	other := fakeciba.Person{NationalID: testid.Personnummer(time.Date(1991, 3, 3, 0, 0, 0, 0, time.UTC), 456), Country: "SE", Name: "Someone Else"}
	e.ciba.Finish(fakeciba.Approved, &other)
	if r := waitFor(t, a, s.ID); r.State != "approved" || r.Match || r.Name != "Someone Else" {
		t.Errorf("another person approved: %+v, want no match", r)
	}
	a.call(t, "/agent/api/verifications", startInput(caller.NationalID), &s)
	e.ciba.Finish(fakeciba.Declined, nil)
	if r := waitFor(t, a, s.ID); r.State != "declined" || r.Name != "" {
		t.Errorf("declined: %+v", r)
	}
}

// TestConsoleRefuses: what an attacker, or a person without the role, meets.
func TestConsoleRefuses(t *testing.T) {
	e := start(t, caller)
	a := signIn(t, e, "/agent", "dk-mitid")
	t.Run("input", func(t *testing.T) {
		for name, in := range map[string]map[string]string{
			"wrong check digit": startInput(caller.NationalID[:11] + string('0'+(caller.NationalID[11]-'0'+1)%10)),
			"no reason":         {"country": "SE", "number": caller.NationalID, "call_initiator": "user"},
			"long message":      {"country": "SE", "number": caller.NationalID, "call_initiator": "user", "reason": "r", "binding_message": strings.Repeat("x", 41)},
			"markup in reason":  {"country": "SE", "number": caller.NationalID, "call_initiator": "user", "reason": "<script>"},
			"call initiator":    {"country": "SE", "number": caller.NationalID, "call_initiator": "bank", "reason": "r"},
		} {
			if code := a.call(t, "/agent/api/verifications", in, nil); code != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", name, code)
			}
		}
		if n := len(e.ciba.Requests()); n != 0 {
			t.Errorf("refused input reached the CIBA endpoint %d times", n)
		}
	})
	t.Run("no CSRF token", func(t *testing.T) {
		if code := a.callWith(t, "/agent/api/verifications", startInput(caller.NationalID), nil, ""); code != http.StatusForbidden {
			t.Errorf("without the token: %d, want 403", code)
		}
		if code := a.callWith(t, "/agent/api/verifications", startInput(caller.NationalID), nil, "forged"); code != http.StatusForbidden {
			t.Errorf("with a forged token: %d, want 403", code)
		}
	})
	t.Run("another agent's verification", func(t *testing.T) {
		var s started
		a.call(t, "/agent/api/verifications", startInput(caller.NationalID), &s)
		b := signIn(t, e, "/agent", "se-bankid")
		if code := b.call(t, "/agent/api/verifications/"+s.ID+"/status", nil, nil); b.csrf == "" || code != http.StatusNotFound {
			t.Errorf("another agent reads the verification: %d, want 404", code)
		}
	})
	t.Run("cookie stolen to another browser", func(t *testing.T) {
		thief := newBrowser("thief-browser/9")
		u := mustURL(t, e.issuer+"/agent/")
		thief.Jar.SetCookies(u, a.c.Jar.Cookies(u))
		stolen := &agent{c: thief, csrf: a.csrf, issuer: e.issuer}
		if code := stolen.call(t, "/agent/api/check", map[string]string{"country": "SE", "number": "1"}, nil); code != http.StatusUnauthorized {
			t.Errorf("the stolen cookie: %d, want 401", code)
		}
		if code := a.call(t, "/agent/api/check", map[string]string{"country": "SE", "number": "1"}, nil); code != http.StatusUnauthorized {
			t.Errorf("the session lives on after its cookie was replayed elsewhere: %d, want 401", code)
		}
	})
	t.Run("role revoked", func(t *testing.T) {
		c := signIn(t, e, "/agent", "dk-mitid")
		if code := c.call(t, "/agent/api/check", map[string]string{"country": "SE", "number": caller.NationalID}, nil); code != http.StatusOK {
			t.Fatalf("check with the role: %d", code)
		}
		revokeDefaults(t, e, admin.RoleAgent)
		if code := c.call(t, "/agent/api/check", map[string]string{"country": "SE", "number": caller.NationalID}, nil); code != http.StatusForbidden {
			t.Errorf("after the role was revoked: %d, want 403", code)
		}
		if code, body := c.get(t, "/agent/"); code != http.StatusForbidden || !strings.Contains(body, `id="not-agent"`) || strings.Contains(body, "csrf-token") {
			t.Errorf("the page after the role was revoked: %d", code)
		}
	})
	t.Run("signed out", func(t *testing.T) {
		anon := &agent{c: newBrowser("anon/1"), issuer: e.issuer}
		if code := anon.call(t, "/agent/api/verifications", startInput(caller.NationalID), nil); code != http.StatusUnauthorized {
			t.Errorf("without a session: %d, want 401", code)
		}
		if code, body := anon.get(t, "/agent/"); code != http.StatusOK || !strings.Contains(body, `id="signin"`) {
			t.Errorf("the page without a session: %d", code)
		}
	})
}

func revokeDefaults(t *testing.T, e *env, role string) {
	t.Helper()
	svc := e.dev.Broker.Admin.Service
	p := admin.Principal{Actor: "cli:test", Roles: []string{admin.RoleAdmin}}
	for _, person := range e.dev.Simulators.DefaultPeople() {
		if _, err := svc.RevokeRole(t.Context(), p, role, admin.Person{NationalID: person.NationalID}); err != nil && !strings.Contains(err.Error(), "valid national id") {
			t.Fatal(err)
		}
	}
}
