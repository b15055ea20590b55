package bench

import (
	"encoding/json"
	"slices"
	"time"
)

// Result is what a run measured.
type Result struct {
	Mode        string        `json:"mode"` // "flows", "sign", "pending" or "ciba"
	Issuer      string        `json:"issuer"`
	EID         string        `json:"eid"`
	ACRValues   string        `json:"acr_values"`
	Concurrency int           `json:"concurrency"`
	Elapsed     time.Duration `json:"-"`
	ElapsedSec  float64       `json:"elapsed_seconds"`
	// Flows counts completed logins (ID token verified); FlowsPerSecond is Flows
	// over Elapsed.
	Flows          int     `json:"flows"`
	FlowsPerSecond float64 `json:"flows_per_second"`
	Latency        Latency `json:"latency"`
	// IDTokenAlgs are the signature algorithms of the verified ID tokens.
	IDTokenAlgs []string       `json:"id_token_algs,omitempty"`
	Errors      map[string]int `json:"errors"`
	// Broker is what the broker's /metrics said about the run (in pending mode:
	// about the time when every login was pending).
	Broker BrokerUsage `json:"broker"`
	// Pending is pending mode's outcome.
	Pending *PendingResult `json:"pending,omitempty"`
	// Sign is sign mode's evidence.
	Sign *SignResult `json:"sign,omitempty"`
}

// ErrorCount is the total of Errors.
func (r Result) ErrorCount() int {
	n := 0
	for _, c := range r.Errors {
		n += c
	}
	return n
}

// BrokerUsage is read from the broker's /metrics before and after the run.
type BrokerUsage struct {
	// MetricsAvailable is false when the broker serves no /metrics.
	MetricsAvailable bool `json:"metrics_available"`
	// CPUSeconds is the broker process's CPU time during the run (user+system).
	CPUSeconds float64 `json:"cpu_seconds"`
	// CPUPerFlow is CPUSeconds over the completed flows.
	CPUPerFlow time.Duration `json:"-"`
	// CPUPerFlowMS is CPUPerFlow in milliseconds, for JSON.
	CPUPerFlowMS float64 `json:"cpu_ms_per_flow"`
	// ResidentBytes is the broker's resident memory at the end (pending mode: the
	// peak seen while the logins were pending).
	ResidentBytes float64 `json:"resident_bytes"`
	// Steps is the broker's own mean time per step during the run, from its
	// step_duration_seconds histogram.
	Steps []StepTime `json:"steps,omitempty"`
}

// StepTime is the broker's mean answer time for one step of a login.
type StepTime struct {
	Step  string        `json:"step"`
	Count int           `json:"count"`
	Mean  time.Duration `json:"-"`
	// MeanMS is Mean in milliseconds, for JSON.
	MeanMS float64 `json:"mean_ms"`
}

// Latency are percentiles of one kind of request or flow.
type Latency struct {
	Count              int
	P50, P95, P99, Max time.Duration
}

// MarshalJSON writes the percentiles in milliseconds.
func (l Latency) MarshalJSON() ([]byte, error) {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return json.Marshal(map[string]any{
		"count": l.Count, "p50_ms": ms(l.P50), "p95_ms": ms(l.P95), "p99_ms": ms(l.P99), "max_ms": ms(l.Max),
	})
}

// latencyOf sorts samples in place and takes the percentiles (nearest rank).
func latencyOf(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	slices.Sort(samples)
	at := func(p float64) time.Duration {
		i := int(p*float64(len(samples))+0.999999) - 1
		return samples[max(0, min(i, len(samples)-1))]
	}
	return Latency{Count: len(samples), P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: samples[len(samples)-1]}
}

// PendingResult is pending mode's outcome.
type PendingResult struct {
	// Started counts logins whose order page was reached; the rest are in Errors.
	Started int `json:"started"`
	// StartTime is how long starting them all took.
	StartTime    time.Duration `json:"-"`
	StartSeconds float64       `json:"start_seconds"`
	// StartLatency is per login, from /authorize to the order page.
	StartLatency Latency `json:"start_latency"`
	// Polls are the status polls made while all were pending.
	Polls       int     `json:"polls"`
	PollsPerSec float64 `json:"polls_per_second"`
	PollLatency Latency `json:"poll_latency"`
	// StillPending counts logins whose last poll still said pending.
	StillPending int `json:"still_pending"`
	// PeakResidentBytes and PeakGoroutines are the highest the broker reported
	// while the logins were pending.
	PeakResidentBytes float64 `json:"peak_resident_bytes"`
	PeakGoroutines    float64 `json:"peak_goroutines"`
	// BaselineGoroutines is before the run, AfterGoroutines once the logins were
	// cancelled and the connections closed; Settled says whether they came back to
	// the baseline (within a few) before the wait ran out.
	BaselineGoroutines float64 `json:"baseline_goroutines"`
	AfterGoroutines    float64 `json:"after_goroutines"`
	Settled            bool    `json:"goroutines_returned_to_baseline"`
	Cancelled          int     `json:"cancelled"`
}
