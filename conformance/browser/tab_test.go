package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	// testTimeout bounds a whole test, so a hang fails instead of blocking.
	testTimeout = 60 * time.Second
	// waitTimeout bounds one wait for a page to reach a state.
	waitTimeout = 20 * time.Second
	// pollEvery is how often a wait looks at the page again.
	pollEvery = 50 * time.Millisecond
)

// tab is one browser tab a test drives; every helper fails the test on error.
type tab struct {
	t   *testing.T
	ctx context.Context
}

// openTab opens a tab in a fresh browser context, bounded by testTimeout. Tests
// call it before startDev, so that without Chromium they skip at once.
func openTab(t *testing.T) *tab {
	t.Helper()
	return &tab{t: t, ctx: newBrowserContext(t, testTimeout)}
}

// openSibling opens another tab in the same browser context (same cookies), as a
// person opening a second window would.
func (b *tab) openSibling() *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("open a second tab: %v", err)
	}
	return &tab{t: b.t, ctx: ctx}
}

func (b *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v (at %s)", what, err, b.location())
	}
}

func (b *tab) navigate(url string) {
	b.t.Helper()
	b.do("open "+url, chromedp.Navigate(url))
}

// click clicks the first element the CSS selector matches, with the mouse.
func (b *tab) click(css string) {
	b.t.Helper()
	b.do("click "+css, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

// clickText clicks the element of the tag whose text is exactly text.
func (b *tab) clickText(tag, text string) {
	b.t.Helper()
	b.do(fmt.Sprintf("click the %s %q", tag, text),
		chromedp.Click(fmt.Sprintf(`//%s[normalize-space(.)=%q]`, tag, text), chromedp.NodeVisible))
}

// location is the tab's URL, or what went wrong reading it; for messages.
func (b *tab) location() string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		return "(unknown URL: " + err.Error() + ")"
	}
	return loc
}

// waitUntil polls the JavaScript predicate until it holds. Errors while the
// page navigates (no document to evaluate in) just mean "not yet".
func (b *tab) waitUntil(what, predicate string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	var lastErr error
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](predicate))
		if err == nil && ok {
			return
		}
		if err != nil {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			b.screenshot("failed-waiting")
			b.t.Fatalf("waiting until %s: %v (last evaluation error: %v) at %s", what, ctx.Err(), lastErr, b.location())
		case <-tick.C:
		}
	}
}

// waitForPage waits until the tab shows a loaded document at the path that
// holds the CSS selector.
func (b *tab) waitForPage(path, css string) {
	b.t.Helper()
	b.waitUntil(fmt.Sprintf("the page %s shows %s", path, css), fmt.Sprintf(
		`document.readyState === 'complete' && location.pathname === %s && document.querySelector(%s) !== null`,
		jsString(path), jsString(css)))
}

// waitForElement waits until the tab shows a loaded document that holds the CSS
// selector, wherever it is.
func (b *tab) waitForElement(css string) {
	b.t.Helper()
	b.waitUntil("the page shows "+css, fmt.Sprintf(
		`document.readyState === 'complete' && document.querySelector(%s) !== null`, jsString(css)))
}

// evaluate returns the value of the JavaScript expression.
func evaluate[T any](b *tab, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v (at %s)", expr, err, b.location())
	}
	return v
}

// screenshot saves a full-page PNG as <test>-<step>.png in the artifacts
// directory. A failed screenshot is reported but does not stop the test.
func (b *tab) screenshot(step string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Errorf("screenshot %s: %v", step, err)
		return
	}
	path := filepath.Join(artifactsDir(b.t), fileName(b.t.Name())+"-"+step+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Errorf("save screenshot: %v", err)
	}
}

// artifactsDir is PORTVAKT_ARTIFACTS, or test-artifacts/browser, created when
// missing. A relative path is taken from the repository's root, not from this
// package's directory where go test runs the tests.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PORTVAKT_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("test-artifacts", "browser")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(repoRoot(t), dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("create the artifacts directory: %v", err)
	}
	return dir
}

// repoRoot is the nearest directory above the working directory with a go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", dir)
		}
	}
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileName(testName string) string {
	return strings.Trim(unsafeFileChars.ReplaceAllString(testName, "_"), "_")
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
