package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/portvakt/portvakt/internal/testenv"
)

// browserProcess is the one Chromium of the test binary. Starting Chromium costs
// more than most tests, so the tests share the process; each test still gets a
// browser context of its own (its own tabs and cookies), which is what isolates a
// login. It is package state because TestMain must stop the process after the
// last test, and only the first test that needs it knows where Chromium is.
var browserProcess sharedChromium

func TestMain(m *testing.M) {
	code := m.Run()
	browserProcess.stop()
	os.Exit(code)
}

type sharedChromium struct {
	mu      sync.Mutex
	started bool
	ctx     context.Context // the browser's first tab; new tabs are its children
	err     error
	dir     string // the profile and TMPDIR of the process
	cancel  []context.CancelFunc
}

// browser returns a started browser's context, starting Chromium on first use.
func (s *sharedChromium) browser(path string) (context.Context, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		s.started = true
		s.ctx, s.err = s.start(path)
	}
	return s.ctx, s.err
}

func (s *sharedChromium) start(path string) (context.Context, error) {
	dir, err := os.MkdirTemp("", "portvakt-chromium-")
	if err != nil {
		return nil, fmt.Errorf("create chromium's directory: %w", err)
	}
	s.dir = dir
	profile, tmp := filepath.Join(dir, "profile"), filepath.Join(dir, "tmp")
	for _, d := range []string{profile, tmp} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return nil, fmt.Errorf("create chromium's directory: %w", err)
		}
	}
	// Chromium keeps its singleton socket under TMPDIR and leaves it behind when
	// it is stopped; inside dir it goes away with the profile.
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.UserDataDir(profile), chromedp.Env("TMPDIR=" + tmp)}
	for _, f := range testenv.ChromiumFlags() {
		opts = append(opts, commandLineFlag(f))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	s.cancel = append(s.cancel, cancelAlloc, cancelBrowser)
	// The first action starts the process, whose life is bound to this call's
	// context: it must carry no deadline.
	if err := chromedp.Do(browserCtx); err != nil {
		return nil, fmt.Errorf("start chromium %s: %w", path, err)
	}
	return browserCtx, nil
}

func (s *sharedChromium) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.cancel) - 1; i >= 0; i-- {
		s.cancel[i]()
	}
	s.cancel = nil
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}

// commandLineFlag turns "--name" or "--name=value" into an allocator option, so
// the browser runs with exactly the flags testenv names.
func commandLineFlag(arg string) chromedp.ExecAllocatorOption {
	name, value, hasValue := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
	if hasValue {
		return chromedp.Flag(name, value)
	}
	return chromedp.Flag(name, true)
}

// newBrowserContext opens a tab in a fresh browser context (no cookies, no
// storage) of the shared Chromium; it closes when the test ends or the timeout
// passes, whichever comes first.
func newBrowserContext(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	path := testenv.Chromium(t)
	root, err := browserProcess.browser(path)
	if err != nil {
		t.Fatal(err)
	}
	tabCtx, cancelTab := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab)
	// Unlike the browser's, a tab's first action may carry the deadline: the tab
	// is not meant to outlive it.
	ctx, cancel := context.WithTimeout(tabCtx, timeout)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}
