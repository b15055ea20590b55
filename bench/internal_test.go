package bench

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestLatencyPercentiles(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = ms(100 - i)
	}
	for name, tc := range map[string]struct {
		samples []time.Duration
		want    Latency
	}{
		"none":         {nil, Latency{}},
		"one":          {[]time.Duration{ms(7)}, Latency{Count: 1, P50: ms(7), P95: ms(7), P99: ms(7), Max: ms(7)}},
		"one to 100ms": {hundred, Latency{Count: 100, P50: ms(50), P95: ms(95), P99: ms(99), Max: ms(100)}},
	} {
		t.Run(name, func(t *testing.T) {
			if got := latencyOf(tc.samples); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestStages(t *testing.T) {
	for url, want := range map[string]string{
		"http://b/authorize?client_id=x":     "authorize",
		"http://b/login/abc":                 "login",
		"http://b/login/abc/status":          "status",
		"http://b/login/abc/done":            "done",
		"http://b/callback/dk-mitid?code=1":  "callback",
		"http://b/sim/dk-mitid/authorize?x=": "upstream",
		"http://b/elsewhere":                 "other",
	} {
		if got := stageOf(url); got != want {
			t.Errorf("stageOf(%s) = %q, want %q", url, got, want)
		}
	}
	if got := kindOf(fail("token: HTTP 400", errors.New("x"))); got != "token: HTTP 400" {
		t.Errorf("kind %q", got)
	}
}

func TestBrokerUsageFromMetrics(t *testing.T) {
	exposition := map[bool]string{
		false: "# HELP process_cpu_seconds_total x\nprocess_cpu_seconds_total 10.5\nprocess_resident_memory_bytes 1e+08\ngo_goroutines 20\n" +
			"portvakt_step_duration_seconds_sum{step=\"token\"} 1\nportvakt_step_duration_seconds_count{step=\"token\"} 100\n",
		true: "process_cpu_seconds_total 12.5\nprocess_resident_memory_bytes 2e+08\ngo_goroutines 25\n" +
			"portvakt_step_duration_seconds_sum{step=\"token\"} 3\nportvakt_step_duration_seconds_count{step=\"token\"} 300\n",
	}
	after := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(exposition[after]))
	}))
	defer srv.Close()
	m := newScraper(srv.URL)
	before, err := m.scrape(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	after = true
	now, err := m.scrape(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	u := usage(before, now, 1000)
	if !u.MetricsAvailable || u.CPUSeconds != 2 || u.CPUPerFlow != 2*time.Millisecond || u.ResidentBytes != 2e8 {
		t.Errorf("usage %+v", u)
	}
	if len(u.Steps) != 1 || u.Steps[0].Step != "token" || u.Steps[0].Count != 200 || u.Steps[0].Mean != 10*time.Millisecond {
		t.Errorf("steps %+v", u.Steps)
	}
}

func TestNoMetricsEndpoint(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	if _, err := newScraper(srv.URL).scrape(context.Background()); !errors.Is(err, errNoMetrics) {
		t.Errorf("err %v, want errNoMetrics", err)
	}
	if u := usage(nil, nil, 10); u.MetricsAvailable {
		t.Errorf("usage %+v", u)
	}
}
