package conformance_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/internal/testenv"
)

// nodeReport is what node/interop.mjs prints.
type nodeReport struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error"`
	Version string `json:"version"`
	// TokenAuth is how openid-client authenticated at the token endpoint.
	TokenAuth []string `json:"token_auth"`
	Logins    []struct {
		Mode              string  `json:"mode"`
		Sub               string  `json:"sub"`
		ACR               string  `json:"acr"`
		AuthTime          float64 `json:"auth_time"`
		HasAtHash         bool    `json:"has_at_hash"`
		NonceOK           bool    `json:"nonce_ok"`
		UserinfoSub       string  `json:"userinfo_sub"`
		UserinfoName      *string `json:"userinfo_name"`
		IssTamperRejected bool    `json:"iss_tamper_rejected"`
	} `json:"logins"`
	Logout struct {
		RedirectedTo      string `json:"redirected_to"`
		AfterLogoutError  any    `json:"after_logout_error"`
		UserinfoAfterLogo int    `json:"userinfo_status_after_logout"`
	} `json:"logout"`
}

// TestInteropNodeOpenIDClient runs node/interop.mjs: openid-client, with its
// defaults (it authenticates with client_secret_post), logs in to the demo client
// (query and form_post), reads userinfo and logs out against dev mode.
func TestInteropNodeOpenIDClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "node is not installed; the openid-client interop test needs Node.js 20 or later")
	}
	out, err := exec.Command(node, "-p", "process.versions.node.split('.')[0]").Output()
	if major, _ := strconv.Atoi(strings.TrimSpace(string(out))); err != nil || major < 20 {
		testenv.Missing(t, "node major version %q (%v): openid-client 6 needs Node.js 20 or later", strings.TrimSpace(string(out)), err)
	}
	dir, _ := filepath.Abs("node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "openid-client")); err != nil {
		testenv.Missing(t, "conformance/node/node_modules is missing; run `npm ci` in conformance/node")
	}
	d := dev(t)
	var rep nodeReport
	stderr, runErr := runInteropScript(t, d, dir, &rep, node, "interop.mjs")
	if !rep.OK || runErr != nil {
		t.Fatalf("openid-client failed: %s (%v); stderr %s", rep.Error, runErr, stderr)
	}
	t.Logf("openid-client %s authenticated with %v", rep.Version, rep.TokenAuth)
	if len(rep.TokenAuth) == 0 {
		t.Errorf("the script saw no token request")
	}
	if stderr != "" {
		t.Logf("node stderr: %s", stderr)
	}
	if len(rep.Logins) != 2 {
		t.Fatalf("logins %d, want query and form_post", len(rep.Logins))
	}
	for _, l := range rep.Logins {
		if l.Sub == "" || l.UserinfoSub != l.Sub || !l.HasAtHash || !l.NonceOK || l.AuthTime == 0 || l.ACR == "" {
			t.Errorf("%s login: %+v", l.Mode, l)
		}
		if l.UserinfoName == nil || *l.UserinfoName == "" {
			t.Errorf("%s login: userinfo has no name", l.Mode)
		}
		if !l.IssTamperRejected {
			t.Errorf("%s login: openid-client accepted a response with another iss; the RFC 9207 check is not active", l.Mode)
		}
	}
	if rep.Logout.RedirectedTo != d.issuer+"/demo?state=bye" {
		t.Errorf("logout redirected to %q, want %q", rep.Logout.RedirectedTo, d.issuer+"/demo?state=bye")
	}
	if rep.Logout.AfterLogoutError != "login_required" {
		t.Errorf("prompt=none after logout: %v, want login_required", rep.Logout.AfterLogoutError)
	}
	if rep.Logout.UserinfoAfterLogo == 200 {
		t.Errorf("the access token still works after logout")
	}
}

// TestInteropNodeCIBA runs node/ciba.mjs: openid-client's CIBA functions
// verify a caller who approves (tokens, the ID token's auth_req_id), one who
// declines (access_denied), redeem an auth_req_id twice (invalid_grant) and
// name a malformed personnummer (invalid_request).
func TestInteropNodeCIBA(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "node is not installed; the openid-client interop test needs Node.js 20 or later")
	}
	dir, _ := filepath.Abs("node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "openid-client")); err != nil {
		testenv.Missing(t, "conformance/node/node_modules is missing; run `npm ci` in conformance/node")
	}
	d := dev(t)
	approve, decline := newCaller(), newCaller()
	bankIDScriptDecline(t, d, decline)
	var rep struct {
		OK       bool   `json:"ok"`
		Error    string `json:"error"`
		Approved struct {
			Interval       float64 `json:"interval"`
			ExpiresIn      float64 `json:"expires_in"`
			Sub            string  `json:"sub"`
			NationalID     string  `json:"national_id"`
			AuthReqIDClaim bool    `json:"auth_req_id_claim"`
			ACR            string  `json:"acr"`
		} `json:"approved"`
		Declined  string `json:"declined"`
		Reused    string `json:"reused"`
		Malformed string `json:"malformed"`
	}
	t.Setenv("PORTVAKT_CIBA_CLIENT_ID", devmode.CIBAClientID)
	t.Setenv("PORTVAKT_CIBA_CLIENT_SECRET", devmode.CIBAClientSecret)
	t.Setenv("PORTVAKT_CIBA_APPROVE", approve)
	t.Setenv("PORTVAKT_CIBA_DECLINE", decline)
	stderr, runErr := runInteropScript(t, d, dir, &rep, node, "ciba.mjs")
	if !rep.OK || runErr != nil {
		t.Fatalf("openid-client failed: %s (%v); stderr %s", rep.Error, runErr, stderr)
	}
	a := rep.Approved
	if a.Interval != 5 || a.ExpiresIn <= 0 || a.Sub == "" || a.NationalID != approve || !a.AuthReqIDClaim || a.ACR == "" {
		t.Errorf("approved: %+v", a)
	}
	if rep.Declined != "access_denied" || rep.Reused != "invalid_grant" || rep.Malformed != "invalid_request" {
		t.Errorf("declined %q, reused %q, malformed %q", rep.Declined, rep.Reused, rep.Malformed)
	}
}
