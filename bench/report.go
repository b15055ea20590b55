package bench

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// WriteReport writes r for a person to read.
func WriteReport(w io.Writer, r Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "portvakt bench: %s, eID %s (%s), concurrency %d, against %s\n", r.Mode, r.EID, r.ACRValues, r.Concurrency, r.Issuer)
	if r.Pending == nil {
		fmt.Fprintf(&b, "  flows:        %d in %.1fs = %.1f flows/s\n", r.Flows, r.Elapsed.Seconds(), r.FlowsPerSecond)
		fmt.Fprintf(&b, "  latency:      %s\n", latencyLine(r.Latency))
		if len(r.IDTokenAlgs) > 0 {
			fmt.Fprintf(&b, "  ID tokens:    %s, each verified\n", strings.Join(r.IDTokenAlgs, ", "))
		}
		if s := r.Sign; s != nil {
			fmt.Fprintf(&b, "  evidence:     %d signatures, each with the eID's native signature and the broker's attestation, stored; %d bytes each (mean, in the token response)\n", s.Signatures, s.EvidenceBytes)
		}
	} else if r.Mode == "ciba" {
		p := r.Pending
		fmt.Fprintf(&b, "  pending:      %d verifications started in %.1fs (per request %s)\n", p.Started, p.StartTime.Seconds(), latencyLine(p.StartLatency))
		fmt.Fprintf(&b, "  token polls:  %d in %.1fs = %.0f/s while all were pending\n", p.Polls, r.Elapsed.Seconds(), p.PollsPerSec)
		fmt.Fprintf(&b, "  token endpoint latency: %s\n", latencyLine(p.PollLatency))
		fmt.Fprintf(&b, "  still pending at the end: %d (they expire by themselves)\n", p.StillPending)
	} else {
		p := r.Pending
		fmt.Fprintf(&b, "  pending:      %d logins started in %.1fs (per login %s)\n", p.Started, p.StartTime.Seconds(), latencyLine(p.StartLatency))
		fmt.Fprintf(&b, "  status polls: %d in %.1fs = %.0f/s while all were pending\n", p.Polls, r.Elapsed.Seconds(), p.PollsPerSec)
		fmt.Fprintf(&b, "  poll latency: %s\n", latencyLine(p.PollLatency))
		fmt.Fprintf(&b, "  still pending at the end: %d; cancelled: %d\n", p.StillPending, p.Cancelled)
	}
	writeErrors(&b, r.Errors)
	writeBroker(&b, r)
	_, err := io.WriteString(w, b.String())
	return err
}

func latencyLine(l Latency) string {
	if l.Count == 0 {
		return "none measured"
	}
	return fmt.Sprintf("p50 %s  p95 %s  p99 %s  max %s", ms(l.P50), ms(l.P95), ms(l.P99), ms(l.Max))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func writeErrors(b *strings.Builder, errs map[string]int) {
	if len(errs) == 0 {
		b.WriteString("  errors:       none\n")
		return
	}
	kinds := make([]string, 0, len(errs))
	total := 0
	for k, n := range errs {
		kinds = append(kinds, k)
		total += n
	}
	sort.Slice(kinds, func(i, j int) bool { return errs[kinds[i]] > errs[kinds[j]] })
	fmt.Fprintf(b, "  errors:       %d\n", total)
	for _, k := range kinds {
		fmt.Fprintf(b, "    %7d  %s\n", errs[k], k)
	}
}

func writeBroker(b *strings.Builder, r Result) {
	u := r.Broker
	if !u.MetricsAvailable {
		b.WriteString("  broker CPU:   unavailable (the broker serves no /metrics)\n")
		return
	}
	if r.Mode == "ciba" {
		perPoll := "no polls"
		if r.Pending.Polls > 0 {
			perPoll = ms(u.CPUPerFlow) + " per client poll (the background collection included)"
		}
		fmt.Fprintf(b, "  broker CPU:   %.2fs while pending = %s (%.2f cores busy)\n", u.CPUSeconds, perPoll, u.CPUSeconds/r.Elapsed.Seconds())
		fmt.Fprintf(b, "  broker RSS:   peak %.1f MB while pending\n", r.Pending.PeakResidentBytes/(1<<20))
	} else if r.Pending == nil {
		perFlow := "no flows"
		if r.Flows > 0 {
			perFlow = ms(u.CPUPerFlow) + " per flow"
			if r.Sign != nil {
				perFlow = ms(u.CPUPerFlow) + " per signature"
			}
		}
		fmt.Fprintf(b, "  broker CPU:   %.2fs = %s (%.2f cores busy)\n", u.CPUSeconds, perFlow, u.CPUSeconds/r.Elapsed.Seconds())
		fmt.Fprintf(b, "  broker RSS:   %.1f MB\n", u.ResidentBytes/(1<<20))
	} else {
		p := r.Pending
		fmt.Fprintf(b, "  broker CPU:   %.2fs while pending (%.2f cores busy)\n", u.CPUSeconds, u.CPUSeconds/r.Elapsed.Seconds())
		fmt.Fprintf(b, "  broker RSS:   peak %.1f MB while pending\n", p.PeakResidentBytes/(1<<20))
		verdict := "returned to the baseline"
		if !p.Settled {
			verdict = "did NOT return to the baseline"
		}
		fmt.Fprintf(b, "  goroutines:   baseline %.0f, peak %.0f, after cancelling %.0f: %s\n", p.BaselineGoroutines, p.PeakGoroutines, p.AfterGoroutines, verdict)
	}
	if len(u.Steps) > 0 {
		b.WriteString("  broker time per step (mean):\n")
		for _, s := range u.Steps {
			fmt.Fprintf(b, "    %-14s %8s  (%d)\n", s.Step, ms(s.Mean), s.Count)
		}
	}
}
