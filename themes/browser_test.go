package themes

import (
	"github.com/portvakt/portvakt/internal/testenv"

	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/portvakt/portvakt/internal/httpsec"
)

// recordViolations runs before any page script and keeps every CSP violation.
const recordViolations = `window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});`

func findChromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	return testenv.Chromium(t)
}

// TestPagesUnderStrictCSPInChromium loads the pages in a real browser with
// the Content-Security-Policy production sends (httpsec.BrokerCSP) and checks that nothing is blocked,
// that order.js follows the status endpoint and that formpost.js submits.
func TestPagesUnderStrictCSPInChromium(t *testing.T) {
	chromium := findChromium(t)
	th := loadThemes(t)
	samples := samplePages(th, "en")

	var complete atomic.Bool
	doneHit := make(chan struct{}, 1)
	posted := make(chan url.Values, 1)
	mux := http.NewServeMux()
	mux.Handle("/static/", th.StaticHandler())
	render := func(name string, data func(r *http.Request) any) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", httpsec.BrokerCSP())
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			if err := th.Render(w, name, data(r)); err != nil {
				t.Errorf("Render %s: %v", name, err)
			}
		}
	}
	mux.HandleFunc("/login", render("login.html", func(*http.Request) any { return samples["login.html"] }))
	mux.HandleFunc("/order", render("order.html", func(*http.Request) any {
		order := samples["order.html"].(OrderPage)
		order.StatusURL = "/status"
		return order
	}))
	mux.HandleFunc("/status", func(w http.ResponseWriter, r *http.Request) {
		code, status := http.StatusOK, map[string]string{"status": "pending", "message": "Second message", "qr_content": "bankid.test-token.1.0123456789abcdef"}
		if complete.Load() {
			// As for a lost session: an error status whose JSON still says where to go.
			code, status = http.StatusNotFound, map[string]string{"status": "failed", "redirect": "/done"}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(status)
	})
	mux.HandleFunc("/done", func(w http.ResponseWriter, r *http.Request) {
		select {
		case doneHit <- struct{}{}:
		default:
		}
		_, _ = w.Write([]byte("done"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mux.HandleFunc("/form_post", render("form_post.html", func(*http.Request) any {
		formPost := samples["form_post.html"].(FormPostPage)
		formPost.RedirectURI = srv.URL + "/callback"
		return formPost
	}))
	mux.HandleFunc("POST /callback", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err == nil {
			posted <- r.PostForm
		}
		_, _ = w.Write([]byte("callback"))
	})

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	// The first action starts the browser and must not carry a timeout.
	err := chromedp.Do(browserCtx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: recordViolations})
		return err
	}))
	if err != nil {
		t.Fatalf("start browser: %v", err)
	}
	ctx, cancel := context.WithTimeout(browserCtx, 45*time.Second)
	defer cancel()

	noViolations := func(t *testing.T) {
		t.Helper()
		violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__violations`))
		if err != nil {
			t.Fatalf("read violations: %v", err)
		}
		if len(violations) > 0 {
			t.Errorf("CSP violations: %s", strings.Join(violations, "; "))
		}
	}

	t.Run("login", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/login")); err != nil {
			t.Fatal(err)
		}
		noViolations(t)
		radius, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.pv-card')).borderTopLeftRadius`))
		if err != nil || radius != "14px" {
			t.Errorf("stylesheet not applied: card radius %q, %v", radius, err)
		}
		imagesLoaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`Array.from(document.images).every(function (i) { return i.complete && i.naturalWidth > 0; })`))
		if err != nil || !imagesLoaded {
			t.Errorf("not every image loaded: %v", err)
		}
	})

	t.Run("order polls and follows the redirect", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/order")); err != nil {
			t.Fatal(err)
		}
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('pv-status-message').textContent === 'Second message' && document.getElementById('pv-qr').src.indexOf('data:image/gif;base64,') === 0`, chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil {
			t.Fatalf("order.js did not apply the status: %v", err)
		}
		noViolations(t)
		complete.Store(true)
		select {
		case <-doneHit:
		case <-ctx.Done():
			t.Fatal("order.js did not follow the redirect")
		}
	})

	t.Run("form_post submits itself", func(t *testing.T) {
		_ = chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/form_post"))
		select {
		case form := <-posted:
			if form.Get("code") != "c0de" || form.Get("state") != `s"<tate>` || form.Get("iss") != "https://login.example" {
				t.Errorf("posted %v", form)
			}
		case <-ctx.Done():
			t.Fatal("formpost.js did not submit the form")
		}
	})
}
