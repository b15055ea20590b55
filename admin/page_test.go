package admin_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/portvakt/portvakt/admin"
	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/internal/httpsec"
	"github.com/portvakt/portvakt/internal/testenv"
)

const recordViolations = `window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});`

// TestAdminPageInChromium: sign in on the admin page with an eID, uncheck a country, save,
// and see it applied in the API, on the login page and in the audit trail, with
// nothing blocked by the Content-Security-Policy.
func TestAdminPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chromium := testenv.Chromium(t)
	b := startBroker(t, devmode.Options{})
	token := b.adminToken(t)
	c, redirect := createSEDK(t, b, token, "shop")

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium))
	for _, f := range testenv.ChromiumFlags() {
		name, value, hasValue := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		if hasValue {
			opts = append(opts, chromedp.Flag(name, value))
		} else {
			opts = append(opts, chromedp.Flag(name, true))
		}
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	// The first action starts the browser and must not carry a timeout.
	err := chromedp.Do(browserCtx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: recordViolations})
		return err
	}))
	if err != nil {
		t.Fatalf("start browser: %v", err)
	}
	ctx, cancel := context.WithTimeout(browserCtx, 40*time.Second)
	defer cancel()

	err = chromedp.Do(ctx,
		chromedp.Navigate(b.issuer+"/admin/"),
		chromedp.WaitVisible(chromedp.CSS("#signin")),
		chromedp.Click(chromedp.CSS("#signin")),
		// The broker's login page; the simulated MitID approves as its first
		// test person, to whom dev mode grants the admin role.
		chromedp.WaitVisible(chromedp.CSS(`button[name="option"][value^="dk-mitid"]`)),
		chromedp.Click(chromedp.CSS(`button[name="option"][value^="dk-mitid"]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-client="shop"] button`)),
		chromedp.Click(chromedp.CSS(`tr[data-client="shop"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#edit-countries input[value="DK"]`)),
		chromedp.Click(chromedp.CSS(`#edit-countries input[value="DK"]`)),
		chromedp.Click(chromedp.CSS("#edit-dpop")),
		// A rule that leaves its browser logins alone: only signed requests
		// would be checked against it.
		chromedp.SetValue(chromedp.CSS("#edit-request-alg"), "ES256"),
		chromedp.Click(chromedp.CSS("#edit-save")),
		chromedp.WaitVisible(chromedp.CSS("#status.ok")),
	)
	if err != nil {
		t.Fatalf("edit on the admin page: %v", err)
	}
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#status")))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#nav-audit")), chromedp.WaitVisible(chromedp.CSS("#audit tbody tr"))); err != nil {
		t.Fatalf("audit view: %v", err)
	}
	auditText, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#audit tbody")))
	if err != nil {
		t.Fatal(err)
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__violations`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(status, "Saved shop") {
		t.Errorf("status after save: %q", status)
	}
	if !strings.Contains(auditText, "person:") || !strings.Contains(auditText, "client.update") {
		t.Errorf("the audit view does not show the change:\n%s", auditText)
	}
	if len(violations) > 0 {
		t.Errorf("Content-Security-Policy violations: %v", violations)
	}
	var got admin.Client
	b.mustCall(t, token, "GET", "/clients/shop", nil, &got, http.StatusOK)
	if strings.Join(got.Countries, ",") != "SE" {
		t.Errorf("countries after the page saved: %v, want SE", got.Countries)
	}
	if got.RequestObjectAlg != "ES256" {
		t.Errorf("request_object_signing_alg after the page saved: %q, want ES256", got.RequestObjectAlg)
	}
	if !got.DPoPBoundAccessTokens {
		t.Error("dpop_bound_access_tokens after the page saved: off, want on")
	}
	if eids := loginPageEIDs(t, b, c.ID, redirect); eids["dk-mitid"] {
		t.Errorf("the login page still offers MitID: %v", eids)
	}
}

// TestAdminPageHasTheBrokersHeaders: the page and its files carry the strict
// CSP and hold no data; the API refuses them without a token.
func TestAdminPageHasTheBrokersHeaders(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	for _, path := range []string{"/admin/", "/admin/static/admin.js", "/admin/static/admin.css", "/admin/api/v1/openapi.yaml"} {
		resp, err := http.Get(b.issuer + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if resp.StatusCode != http.StatusOK || csp != httpsec.BrokerCSP() || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: status %d, CSP %q", path, resp.StatusCode, csp)
		}
	}
	for _, path := range []string{"/admin/api/v1/clients", "/admin/api/v1/audit", "/admin/api/v1/audit/export", "/admin/api/v1/eids", "/admin/api/v1/nothing"} {
		resp, err := http.Get(b.issuer + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without a token: %d, want 401", path, resp.StatusCode)
		}
	}
}
