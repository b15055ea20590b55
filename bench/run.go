package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// flowTimeout bounds one login, so a stuck broker shows up as errors, not a hang.
const flowTimeout = 30 * time.Second

// Run runs the load described by o against a running broker and reports what it
// measured. Cancelling ctx ends the run early with what was measured so far.
func Run(ctx context.Context, o Options) (Result, error) {
	o, e, err := o.withDefaults()
	if err != nil {
		return Result{}, err
	}
	t, err := newTarget(ctx, o, e)
	if err != nil {
		return Result{}, err
	}
	defer t.shared.CloseIdleConnections()
	if o.CIBA {
		return runCIBA(ctx, t)
	}
	if o.Pending > 0 {
		return runPending(ctx, t)
	}
	return runFlows(ctx, t)
}

// workerStats is one worker's own tally, merged at the end so workers share no lock.
type workerStats struct {
	latencies []time.Duration
	errors    map[string]int
}

func runFlows(ctx context.Context, t *target) (Result, error) {
	o := t.o
	metrics := newScraper(o.MetricsURL)
	before, _ := metrics.scrape(ctx)

	var done, failed atomic.Int64
	stats := make([]workerStats, o.Concurrency)
	began := time.Now()
	deadline := began.Add(o.Duration)
	stopProgress := progress(o.Progress, began, func(elapsed time.Duration) string {
		n := done.Load()
		return fmt.Sprintf("%5.1fs  %d flows  %.0f flows/s  %d errors", elapsed.Seconds(), n, float64(n)/elapsed.Seconds(), failed.Load())
	})
	var wg sync.WaitGroup
	for w := range stats {
		wg.Add(1)
		go func(s *workerStats) {
			defer wg.Done()
			s.errors = map[string]int{}
			for ctx.Err() == nil && time.Now().Before(deadline) {
				start := time.Now()
				err := t.oneFlow(ctx)
				switch {
				case err == nil:
					s.latencies = append(s.latencies, time.Since(start))
					done.Add(1)
				case ctx.Err() == nil:
					s.errors[kindOf(err)]++
					failed.Add(1)
				}
			}
		}(&stats[w])
	}
	wg.Wait()
	elapsed := time.Since(began)
	stopProgress()

	after, err := metrics.scrape(context.WithoutCancel(ctx))
	if err != nil && !errors.Is(err, errNoMetrics) {
		return Result{}, err
	}
	res := Result{Mode: "flows", Issuer: o.Issuer, EID: o.EID, ACRValues: t.acr, Concurrency: o.Concurrency, Errors: map[string]int{}}
	var all []time.Duration
	for _, s := range stats {
		all = append(all, s.latencies...)
		for k, n := range s.errors {
			res.Errors[k] += n
		}
	}
	res.setElapsed(elapsed)
	res.Flows = len(all)
	res.FlowsPerSecond = float64(res.Flows) / elapsed.Seconds()
	res.Latency = latencyOf(all)
	res.IDTokenAlgs = t.keys.algorithms()
	res.Broker = usage(before, after, res.Flows)
	if o.Sign {
		res.Mode, res.Sign = "sign", t.signed.result()
	}
	return res, nil
}

func (r *Result) setElapsed(d time.Duration) {
	r.Elapsed, r.ElapsedSec = d, d.Seconds()
}

// oneFlow is one complete login in a new browser.
func (t *target) oneFlow(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, flowTimeout)
	defer cancel()
	browser, release := t.browser()
	defer release()
	return t.newLogin(browser).complete(ctx)
}

// progress rewrites a status line on w every second until the returned stop is
// called, which ends the line.
func progress(w io.Writer, began time.Time, line func(elapsed time.Duration) string) (stop func()) {
	if w == nil {
		return func() {}
	}
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				fmt.Fprintf(w, "\r%s\n", line(time.Since(began)))
				return
			case <-tick.C:
				fmt.Fprintf(w, "\r%s   ", line(time.Since(began)))
			}
		}
	}()
	return func() { close(quit); <-finished }
}
