package broker_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/audit"
	"github.com/portvakt/portvakt/internal/galeratest"
	"github.com/portvakt/portvakt/provider"
)

const mitidACR = "urn:portvakt:eid:dk:mitid"

// galeraStack is a broker process per Galera node, behind a front door that
// takes a broker out of rotation while its /readyz fails, as a load balancer's
// health check does.
type galeraStack struct {
	cluster *galeratest.Cluster
	front   *frontDoor
	brokers [galeratest.Nodes]*replica
	dsns    []string
}

func startGaleraStack(t *testing.T) *galeraStack {
	t.Helper()
	g := &galeraStack{cluster: galeratest.Start(t), front: startFrontDoor(t, true)}
	g.dsns = g.cluster.CreateDatabase(t, "portvakt")
	master := newMasterKey(t)
	for i := range g.brokers {
		cfg := g.front.config(t, g.dsns[i], master)
		g.brokers[i] = g.front.startReplica(t, cfg)
		g.front.add(g.brokers[i].url)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		g.checkHealth(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return g
}

// checkHealth polls every broker's /readyz and keeps the front door's rotation
// to the ready ones, until ctx ends.
func (g *galeraStack) checkHealth(ctx context.Context) {
	client := &http.Client{Timeout: 3 * time.Second}
	defer client.CloseIdleConnections()
	for {
		for i, b := range g.brokers {
			ready := false
			if req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.url+"/readyz", nil); err == nil {
				if resp, err := client.Do(req); err == nil {
					ready = resp.StatusCode == http.StatusOK
					resp.Body.Close()
				}
			}
			if ctx.Err() != nil {
				return
			}
			g.front.setDown(i, !ready)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// awaitReadiness polls broker i's /readyz until it answers want, and returns
// the body.
func (g *galeraStack) awaitReadiness(t *testing.T, i, want int, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		status, body := get(t, g.brokers[i].url+"/readyz")
		if status == want {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("broker %d's /readyz still answers %d %s after %s, want %d", i, status, body, within, want)
		}
		time.Sleep(100 * time.Millisecond) // a health check's rhythm
	}
}

// serving lists the brokers the front door sends requests to.
func (g *galeraStack) serving() []int {
	g.front.mu.Lock()
	defer g.front.mu.Unlock()
	var out []int
	for i := range g.brokers {
		if !g.front.down[i] {
			out = append(out, i)
		}
	}
	return out
}

// login completes a MitID login through the front door and returns the code.
func (g *galeraStack) login(tb testing.TB) (*authRequest, string) {
	tb.Helper()
	req := newAuthRequest(g.front.url)
	return req, req.code(tb, newBrowser(tb).visit(req.url(g.front.url, mitidACR)))
}

// mustServe runs n logins one after another, each redeemed, used and redeemed
// again; every one must succeed.
func (g *galeraStack) mustServe(t *testing.T, l *ledger, n int) {
	t.Helper()
	for i := range n {
		if err := attempt(t, func(tb testing.TB) { g.loginAndUse(tb, l, i) }); err != nil {
			t.Errorf("login %d of %d after recovery: %v", i+1, n, err)
		}
	}
}

// loginAndUse is one relying party's whole use of a login: the code redeemed
// through one broker, userinfo through the front door, and the code tried
// again through another broker, which must refuse it.
func (g *galeraStack) loginAndUse(tb testing.TB, l *ledger, turn int) {
	tb.Helper()
	req, code := g.login(tb)
	l.issued(code)
	up := g.serving()
	if len(up) == 0 {
		tb.Fatal("no broker in rotation")
	}
	first, second := up[turn%len(up)], up[(turn+1)%len(up)]
	tr := req.exchange(tb, g.brokers[first].url, code)
	if tr.status == http.StatusOK {
		userinfo(tb, g.front.url, tr.AccessToken)
	}
	again := req.exchange(tb, g.brokers[second].url, code)
	l.redeemed(code, tr.status == http.StatusOK, again.status == http.StatusOK)
	if tr.status != http.StatusOK {
		tb.Fatalf("code redemption at broker %d: %d %s %s (again at %d: %d %s)", first, tr.status, tr.Error,
			tr.ErrorDescription, second, again.status, again.Error)
	}
	if again.status != http.StatusBadRequest || again.Error != "invalid_grant" {
		tb.Fatalf("a code redeemed at broker %d, tried again at %d: %d %s, want 400 invalid_grant", first, second,
			again.status, again.Error)
	}
}

// ledger keeps what the relying parties saw, for the checks after each scenario.
type ledger struct {
	mu sync.Mutex
	// codes is how often each issued code was redeemed successfully.
	codes map[string]int
}

func newLedger() *ledger { return &ledger{codes: map[string]int{}} }

func (l *ledger) issued(code string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, seen := l.codes[code]; !seen {
		l.codes[code] = 0
	}
}

func (l *ledger) redeemed(code string, results ...bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ok := range results {
		if ok {
			l.codes[code]++
		}
	}
}

// checkInvariants asserts what must hold after any fault: no code redeemed
// twice, a login audit record for every code issued, a chain that verifies.
func (g *galeraStack) checkInvariants(t *testing.T, l *ledger) {
	t.Helper()
	l.mu.Lock()
	issued, twice := len(l.codes), 0
	for _, n := range l.codes {
		if n > 1 {
			twice++
		}
	}
	l.mu.Unlock()
	if twice > 0 {
		t.Errorf("%d of %d codes were redeemed more than once", twice, issued)
	}
	trail := g.brokers[0].broker.Admin.Audit
	if logins := successfulLogins(t, trail); logins < issued {
		t.Errorf("the audit trail has %d successful logins, but the relying parties got %d codes", logins, issued)
	}
	report, err := trail.Verify(context.Background())
	if err != nil || !report.OK {
		t.Errorf("the audit chain does not verify: %v %v", err, report.Broken)
	}
}

// awaitWhole waits until every node is Synced and every broker ready and in
// rotation again, as the next scenario needs.
func (g *galeraStack) awaitWhole(t *testing.T) {
	t.Helper()
	for i := range g.brokers {
		g.cluster.WaitSynced(t, i)
		g.awaitReadiness(t, i, http.StatusOK, 60*time.Second)
		g.awaitRotation(t, i, true)
	}
}

// successfulLogins counts the trail's successful login records.
func successfulLogins(t *testing.T, trail *audit.Trail) int {
	t.Helper()
	count := 0
	var after audit.Cursor
	for {
		page, err := trail.List(context.Background(), audit.Query{After: after, Limit: 500})
		if err != nil {
			t.Fatalf("list the audit trail: %v", err)
		}
		for _, e := range page {
			if e.Kind == audit.KindLogin && e.Outcome == provider.OutcomeSuccess {
				count++
			}
			after = audit.CursorAfter(e)
		}
		if len(page) < 500 {
			return count
		}
	}
}

// brokerGoroutines counts goroutines running the product's code, not the
// test's: a handler or background job stuck on a dead node shows here. Idle
// HTTP and MySQL connections hold goroutines of their own, which come and go
// with the pools and are not counted.
func brokerGoroutines() (int, string) {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	count := 0
	var stacks []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "github.com/portvakt/portvakt/") && !strings.Contains(g, "_test.go") {
			count++
			stacks = append(stacks, g)
		}
	}
	return count, strings.Join(stacks, "\n\n")
}

// noGoroutinesLeaked waits until no more product goroutines run than before,
// and returns how many run.
func noGoroutinesLeaked(t *testing.T, before int) int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
		now, stacks := brokerGoroutines()
		if now <= before {
			return now
		}
		if time.Now().After(deadline) {
			t.Errorf("%d goroutines of the broker run, %d before the scenario:\n%s", now, before, stacks)
			return now
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// attemptTB lets a test helper run in a load goroutine: a fatal failure ends
// that attempt only and becomes its error.
type attemptTB struct {
	testing.TB
	mu  sync.Mutex
	err error
}

func (a *attemptTB) Helper()                   {}
func (a *attemptTB) Log(...any)                {}
func (a *attemptTB) Logf(string, ...any)       {}
func (a *attemptTB) Error(args ...any)         { a.record(fmt.Sprint(args...)) }
func (a *attemptTB) Errorf(f string, x ...any) { a.record(fmt.Sprintf(f, x...)) }
func (a *attemptTB) Fatal(args ...any)         { a.record(fmt.Sprint(args...)); runtime.Goexit() }
func (a *attemptTB) Fatalf(f string, x ...any) { a.record(fmt.Sprintf(f, x...)); runtime.Goexit() }
func (a *attemptTB) FailNow()                  { a.record("failed"); runtime.Goexit() }

func (a *attemptTB) record(msg string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.err = errors.Join(a.err, errors.New(msg))
}

// attempt runs fn on a goroutine of its own with an attemptTB and returns what
// failed.
func attempt(t testing.TB, fn func(tb testing.TB)) error {
	a := &attemptTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(a)
	}()
	<-done
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}
