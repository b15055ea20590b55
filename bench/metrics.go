package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// errNoMetrics means the broker serves no /metrics.
var errNoMetrics = errors.New("the broker has no /metrics")

// Standard metric names of the Prometheus process and Go collectors, and the
// broker's step histogram.
const (
	metricCPU        = "process_cpu_seconds_total"
	metricResident   = "process_resident_memory_bytes"
	metricGoroutines = "go_goroutines"
	metricStepSum    = "portvakt_step_duration_seconds_sum"
	metricStepCount  = "portvakt_step_duration_seconds_count"
)

// snapshot is one scrape: each sample by its name and labels as written.
type snapshot map[string]float64

// scraper reads the broker's /metrics on its own connection each time, so the
// scrape leaves no idle connection (and goroutine) behind in the broker.
type scraper struct {
	url    string
	client *http.Client
}

func newScraper(metricsURL string) *scraper {
	return &scraper{url: metricsURL, client: &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{DisableKeepAlives: true},
	}}
}

func (s *scraper) scrape(ctx context.Context) (snapshot, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scrape metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, errNoMetrics
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape metrics: status %d", resp.StatusCode)
	}
	out := snapshot{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		// name{labels} value [timestamp]; label values hold no spaces in these metrics.
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		v, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			continue
		}
		out[fields[0]] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("scrape metrics: %w", err)
	}
	return out, nil
}

// stepTimes are the broker's mean step times between two scrapes.
func stepTimes(before, after snapshot) []StepTime {
	var out []StepTime
	for key, count := range after {
		name, labels, ok := strings.Cut(key, "{")
		if !ok || name != metricStepCount {
			continue
		}
		n := count - before[key]
		if n <= 0 {
			continue
		}
		sumKey := metricStepSum + "{" + labels
		mean := time.Duration((after[sumKey] - before[sumKey]) / n * float64(time.Second))
		out = append(out, StepTime{Step: labelValue(labels, "step"), Count: int(n), Mean: mean, MeanMS: float64(mean.Microseconds()) / 1000})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Step < out[j].Step })
	return out
}

// labelValue finds name="value" in a label list such as `step="token"}`.
func labelValue(labels, name string) string {
	_, rest, ok := strings.Cut(labels, name+`="`)
	if !ok {
		return strings.TrimSuffix(labels, "}")
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

// usage fills in what the broker spent between two scrapes.
func usage(before, after snapshot, flows int) BrokerUsage {
	if before == nil || after == nil {
		return BrokerUsage{}
	}
	u := BrokerUsage{MetricsAvailable: true, ResidentBytes: after[metricResident], Steps: stepTimes(before, after)}
	u.CPUSeconds = after[metricCPU] - before[metricCPU]
	if flows > 0 {
		u.CPUPerFlow = time.Duration(u.CPUSeconds / float64(flows) * float64(time.Second))
		u.CPUPerFlowMS = float64(u.CPUPerFlow.Microseconds()) / 1000
	}
	return u
}
