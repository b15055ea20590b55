package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/internal/testid"
)

// cibaPollSlack is added to the interval a client waits between polls, so a
// timer firing a little early never earns slow_down.
const cibaPollSlack = 100 * time.Millisecond

// verification is one caller a client waits for: started at the backchannel
// endpoint, polled at the token endpoint at its interval.
type verification struct {
	authReqID string
	interval  time.Duration
	latencies []time.Duration
	errors    map[string]int
	last      string
}

// cibaRun is CIBA mode's shared state.
type cibaRun struct {
	o         Options
	client    *http.Client
	endpoint  string
	token     string
	stop      chan struct{}
	measuring atomic.Bool
	polls     atomic.Int64
	pollErrs  atomic.Int64
	wg        sync.WaitGroup
}

// runCIBA holds o.Pending caller verifications open in poll mode, each client
// polling the token endpoint at its interval, and measures the broker while
// they wait: CPU per client poll, memory, and the token endpoint's latency.
// The broker must not auto-approve. Verifications end by themselves at their
// expiry (two minutes); the run's duration must end before that.
func runCIBA(ctx context.Context, t *target) (Result, error) {
	o := t.o
	var d struct {
		Endpoint string `json:"backchannel_authentication_endpoint"`
		Token    string `json:"token_endpoint"`
	}
	client := &http.Client{Transport: t.shared, Timeout: flowTimeout}
	if err := getJSON(ctx, client, o.Issuer+"/.well-known/openid-configuration", &d); err != nil {
		return Result{}, fmt.Errorf("discovery: %w", err)
	}
	if d.Endpoint == "" {
		return Result{}, errors.New("the broker has no backchannel authentication endpoint")
	}
	run := &cibaRun{o: o, client: client, endpoint: d.Endpoint, token: d.Token, stop: make(chan struct{})}
	metrics := newScraper(o.MetricsURL)
	before, err := metrics.scrape(ctx)
	if err != nil && !errors.Is(err, errNoMetrics) {
		return Result{}, err
	}
	res := Result{Mode: "ciba", Issuer: o.Issuer, EID: "se-bankid (phone)", ACRValues: "login_hint=se-pnr:<synthetic caller>", Concurrency: o.Concurrency, Errors: map[string]int{}}
	pr := &PendingResult{BaselineGoroutines: before[metricGoroutines]}
	res.Pending = pr
	began := time.Now()
	started, startLatencies, startErrors := run.startAll(ctx)
	pr.Started, pr.StartTime, pr.StartSeconds = len(started), time.Since(began), time.Since(began).Seconds()
	pr.StartLatency = latencyOf(startLatencies)
	for k, n := range startErrors {
		res.Errors["start: "+k] += n
	}

	run.measuring.Store(true)
	measureBegan := time.Now()
	atPending, _ := metrics.scrape(ctx)
	stopSampling := (&pendingRun{}).sample(ctx, metrics, pr)
	stopProgress := progress(o.Progress, measureBegan, func(elapsed time.Duration) string {
		n := run.polls.Load()
		return fmt.Sprintf("%5.1fs  %d pending  %d token polls  %.0f polls/s  %d errors", elapsed.Seconds(), len(started), n, float64(n)/elapsed.Seconds(), run.pollErrs.Load())
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
	after, _ := metrics.scrape(context.WithoutCancel(ctx))

	var polls []time.Duration
	for _, v := range started {
		polls = append(polls, v.latencies...)
		for k, n := range v.errors {
			res.Errors["poll: "+k] += n
		}
		if v.last == "authorization_pending" {
			pr.StillPending++
		}
	}
	pr.Polls, pr.PollsPerSec, pr.PollLatency = len(polls), float64(len(polls))/measured.Seconds(), latencyOf(polls)
	res.setElapsed(measured)
	res.Broker = usage(atPending, after, len(polls))
	if res.Broker.MetricsAvailable {
		res.Broker.ResidentBytes = pr.PeakResidentBytes
	}
	return res, nil
}

// startAll starts o.Pending verifications, Concurrency at a time, each of its
// own synthetic caller.
func (r *cibaRun) startAll(ctx context.Context) ([]*verification, []time.Duration, map[string]int) {
	var (
		mu        sync.Mutex
		started   []*verification
		latencies []time.Duration
		errs      = map[string]int{}
		next      atomic.Int64
		wg        sync.WaitGroup
	)
	// Callers born on days of their own, so no two runs share one for long.
	base := time.Date(1940+rand.IntN(40), 1, 1, 0, 0, 0, 0, time.UTC) //nolint:gosec // G404: picks test people, not a secret
	stopProgress := progress(r.o.Progress, time.Now(), func(elapsed time.Duration) string {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprintf("starting  %5.1fs  %d/%d pending", elapsed.Seconds(), len(started), r.o.Pending)
	})
	defer stopProgress()
	for range min(r.o.Concurrency, r.o.Pending) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := next.Add(1)
				if i > int64(r.o.Pending) {
					return
				}
				pnr := testid.Personnummer(base.AddDate(0, 0, int(i)/1000), int(i)%1000)
				began := time.Now()
				v, err := r.start(ctx, pnr)
				took := time.Since(began)
				mu.Lock()
				if err != nil {
					errs[kindOf(err)]++
				} else {
					started = append(started, v)
					latencies = append(latencies, took)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return started, latencies, errs
}

// start asks the broker to verify one caller and sets its client polling.
func (r *cibaRun) start(ctx context.Context, pnr string) (*verification, error) {
	var ack struct {
		AuthReqID string  `json:"auth_req_id"`
		Interval  float64 `json:"interval"`
	}
	status, errCode, err := r.post(ctx, r.endpoint, url.Values{"scope": {"openid"}, "login_hint": {"se-pnr:" + pnr},
		"binding_message": {"Benchmark"}, "reason": {"load test"}}, &ack)
	switch {
	case err != nil:
		return nil, err
	case status != http.StatusOK:
		return nil, fail("backchannel request", fmt.Errorf("%d %s", status, errCode))
	}
	v := &verification{authReqID: ack.AuthReqID, interval: time.Duration(ack.Interval) * time.Second, last: "authorization_pending"}
	if v.interval <= 0 {
		v.interval = 5 * time.Second
	}
	r.wg.Add(1)
	go r.poll(ctx, v)
	return v, nil
}

// poll asks the token endpoint at the interval, as a CIBA client must, until
// the run stops. Polls before every verification is pending are not measured.
func (r *cibaRun) poll(ctx context.Context, v *verification) {
	defer r.wg.Done()
	// Clients started at different moments poll at different phases.
	wait := v.interval + cibaPollSlack + time.Duration(rand.Int64N(int64(time.Second))) //nolint:gosec // G404: a poll's phase
	for {
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-r.stop:
			timer.Stop()
			return
		case <-ctx.Done():
			timer.Stop()
			return
		}
		measured := r.measuring.Load()
		began := time.Now()
		status, errCode, err := r.post(ctx, r.token, url.Values{"grant_type": {config.GrantTypeCIBA}, "auth_req_id": {v.authReqID}}, nil)
		took := time.Since(began)
		outcome := errCode
		switch {
		case err != nil:
			outcome = kindOf(err)
		case status == http.StatusOK:
			outcome = "completed (the broker auto-approves)"
		}
		if measured && ctx.Err() == nil {
			r.polls.Add(1)
			v.latencies = append(v.latencies, took)
			if outcome != "authorization_pending" {
				r.pollErrs.Add(1)
				if v.errors == nil {
					v.errors = map[string]int{}
				}
				v.errors[outcome]++
			}
		}
		v.last = outcome
		switch outcome {
		case "authorization_pending":
		case "slow_down":
			v.interval += 5 * time.Second
		default:
			if err == nil {
				return // over: approved, declined or expired
			}
		}
		wait = v.interval + cibaPollSlack
	}
}

// post sends a form with the client's credentials (HTTP Basic) and reads the
// JSON answer into out (when 200) or its error code.
func (r *cibaRun) post(ctx context.Context, endpoint string, form url.Values, out any) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(r.o.ClientID), url.QueryEscape(r.o.ClientSecret))
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(body, &e)
		return resp.StatusCode, e.Error, nil
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return resp.StatusCode, "", err
		}
	}
	return resp.StatusCode, "", nil
}
