package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Pending mode's waits: how often the broker's metrics are sampled while logins
// are pending, and how near the baseline goroutines must come once every login is
// cancelled (a few above it count as returned: the scrape's own).
const (
	sampleEvery       = 2 * time.Second
	goroutineSlack    = 5
	settleCheckPeriod = 500 * time.Millisecond
)

// pendingLogin is one person looking at a QR code: a started BankID login whose
// page polls its status once a second.
type pendingLogin struct {
	l         *login
	release   func()
	latencies []time.Duration
	errors    map[string]int
	last      string
}

// pendingRun is pending mode's shared state.
type pendingRun struct {
	t         *target
	stop      chan struct{}
	measuring atomic.Bool
	polls     atomic.Int64
	pollErrs  atomic.Int64
	wg        sync.WaitGroup
}

func runPending(ctx context.Context, t *target) (Result, error) {
	o := t.o
	metrics := newScraper(o.MetricsURL)
	before, err := metrics.scrape(ctx)
	if err != nil && !errors.Is(err, errNoMetrics) {
		return Result{}, err
	}
	run := &pendingRun{t: t, stop: make(chan struct{})}
	res := Result{Mode: "pending", Issuer: o.Issuer, EID: o.EID, ACRValues: t.acr, Concurrency: o.Concurrency, Errors: map[string]int{}}
	pr := &PendingResult{BaselineGoroutines: before[metricGoroutines]}
	res.Pending = pr
	began := time.Now()

	logins, startLatencies, startErrors := run.startAll(ctx)
	pr.Started, pr.StartTime, pr.StartSeconds = len(logins), time.Since(began), time.Since(began).Seconds()
	pr.StartLatency = latencyOf(startLatencies)
	for k, n := range startErrors {
		res.Errors["start: "+k] += n
	}

	// Every login is pending now: measure for the duration.
	run.measuring.Store(true)
	measureBegan := time.Now()
	atPending, _ := metrics.scrape(ctx)
	stopSampling := run.sample(ctx, metrics, pr)
	stopProgress := progress(o.Progress, measureBegan, func(elapsed time.Duration) string {
		n := run.polls.Load()
		return fmt.Sprintf("%5.1fs  %d pending  %d polls  %.0f polls/s  %d errors", elapsed.Seconds(), len(logins), n, float64(n)/elapsed.Seconds(), run.pollErrs.Load())
	})
	select {
	case <-ctx.Done():
	case <-time.After(o.Duration):
	}
	close(run.stop)
	run.wg.Wait()
	measured := time.Since(measureBegan)
	stopProgress()
	stopSampling()
	mid, _ := metrics.scrape(context.WithoutCancel(ctx))

	var polls []time.Duration
	for _, p := range logins {
		polls = append(polls, p.latencies...)
		for k, n := range p.errors {
			res.Errors["poll: "+k] += n
		}
		if p.last == "pending" {
			pr.StillPending++
		}
	}
	pr.Polls, pr.PollsPerSec, pr.PollLatency = len(polls), float64(len(polls))/measured.Seconds(), latencyOf(polls)
	res.setElapsed(measured)

	cleanup := context.WithoutCancel(ctx)
	pr.Cancelled = run.cancelAll(cleanup, logins)
	for _, p := range logins {
		p.release()
	}
	t.shared.CloseIdleConnections()
	if before != nil {
		pr.AfterGoroutines, pr.Settled = settle(cleanup, metrics, before[metricGoroutines], o.SettleWait)
	}
	res.Broker = usage(atPending, mid, 0)
	if res.Broker.MetricsAvailable {
		res.Broker.ResidentBytes = pr.PeakResidentBytes
	}
	return res, nil
}

// startAll starts o.Pending logins, Concurrency at a time, each polling from the
// moment its order page shows.
func (r *pendingRun) startAll(ctx context.Context) ([]*pendingLogin, []time.Duration, map[string]int) {
	o := r.t.o
	var (
		mu        sync.Mutex
		logins    []*pendingLogin
		latencies []time.Duration
		errs      = map[string]int{}
		next      atomic.Int64
		wg        sync.WaitGroup
	)
	began := time.Now()
	stopProgress := progress(o.Progress, began, func(elapsed time.Duration) string {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprintf("starting  %5.1fs  %d/%d pending", elapsed.Seconds(), len(logins), o.Pending)
	})
	defer stopProgress()
	for range min(o.Concurrency, o.Pending) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && next.Add(1) <= int64(o.Pending) {
				p, took, err := r.start(ctx)
				mu.Lock()
				if err != nil {
					errs[kindOf(err)]++
				} else {
					logins = append(logins, p)
					latencies = append(latencies, took)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return logins, latencies, errs
}

// start opens one login up to its order page and sets its page polling.
func (r *pendingRun) start(ctx context.Context) (*pendingLogin, time.Duration, error) {
	browser, release := r.t.browser()
	l := r.t.newLogin(browser)
	began := time.Now()
	sctx, cancel := context.WithTimeout(ctx, flowTimeout)
	callback, err := l.browse(sctx, l.authorizeURL(), false)
	cancel()
	took := time.Since(began)
	switch {
	case err != nil:
		release()
		return nil, 0, err
	case callback != nil:
		release()
		return nil, 0, fail("completed at once (the broker auto-approves)", errors.New("no pending order"))
	}
	p := &pendingLogin{l: l, release: release, last: "pending"}
	r.wg.Add(1)
	go r.poll(ctx, p)
	return p, took, nil
}

// poll asks for the login's status once a second, as the order page does (a tick
// that comes while the last poll is still out is skipped), until the run stops.
// Polls that begin before every login is pending are not measured.
func (r *pendingRun) poll(ctx context.Context, p *pendingLogin) {
	defer r.wg.Done()
	// Pages opened at different moments poll at different phases of the second.
	first := time.NewTimer(time.Duration(rand.Int64N(int64(time.Second)))) //nolint:gosec // G404: a poll's phase, not a secret
	select {
	case <-first.C:
	case <-r.stop:
		first.Stop()
		return
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		measured := r.measuring.Load()
		pctx, cancel := context.WithTimeout(ctx, flowTimeout)
		began := time.Now()
		st, err := p.l.status(pctx)
		took := time.Since(began)
		cancel()
		if measured && ctx.Err() == nil {
			r.polls.Add(1)
			p.latencies = append(p.latencies, took)
			if err != nil {
				r.pollErrs.Add(1)
				if p.errors == nil {
					p.errors = map[string]int{}
				}
				p.errors[kindOf(err)]++
			}
		}
		if err == nil {
			p.last = st.Status
			if st.Status != "pending" {
				if measured {
					r.pollErrs.Add(1)
					if p.errors == nil {
						p.errors = map[string]int{}
					}
					p.errors["no longer pending: "+st.Status]++
				}
				return
			}
		}
		select {
		case <-tick.C:
		case <-r.stop:
			return
		case <-ctx.Done():
			return
		}
	}
}

// sample follows the broker's resident memory and goroutines until stopped.
func (r *pendingRun) sample(ctx context.Context, m *scraper, pr *PendingResult) (stop func()) {
	quit, finished := make(chan struct{}), make(chan struct{})
	take := func() {
		s, err := m.scrape(ctx)
		if err != nil {
			return
		}
		pr.PeakResidentBytes = max(pr.PeakResidentBytes, s[metricResident])
		pr.PeakGoroutines = max(pr.PeakGoroutines, s[metricGoroutines])
	}
	go func() {
		defer close(finished)
		tick := time.NewTicker(sampleEvery)
		defer tick.Stop()
		take()
		for {
			select {
			case <-quit:
				take()
				return
			case <-tick.C:
				take()
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// cancelAll cancels every login, as the person pressing Cancel would, and counts
// those the broker answered with a redirect back to the relying party.
func (r *pendingRun) cancelAll(ctx context.Context, logins []*pendingLogin) int {
	var cancelled, next atomic.Int64
	var wg sync.WaitGroup
	for range min(r.t.o.Concurrency, len(logins)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(logins)) {
					return
				}
				l := logins[i].l
				cctx, cancel := context.WithTimeout(ctx, flowTimeout)
				resp, err := l.get(cctx, l.t.issuer+"/login/"+l.id+"/cancel")
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther {
						cancelled.Add(1)
					}
				}
				cancel()
			}
		}()
	}
	wg.Wait()
	return int(cancelled.Load())
}

// settle waits until the broker's goroutines come back to (near) the baseline.
func settle(ctx context.Context, m *scraper, baseline float64, within time.Duration) (float64, bool) {
	deadline := time.Now().Add(within)
	var last float64
	for {
		s, err := m.scrape(ctx)
		if err == nil {
			last = s[metricGoroutines]
			if last <= baseline+goroutineSlack {
				return last, true
			}
		}
		if time.Now().After(deadline) {
			return last, false
		}
		time.Sleep(settleCheckPeriod)
	}
}
