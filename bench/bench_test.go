package bench_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/portvakt/portvakt/bench"
	"github.com/portvakt/portvakt/devmode"
)

// startDev runs dev mode in the test process and returns its issuer.
func startDev(t *testing.T, autoApprove bool) string {
	t.Helper()
	issuer, _ := startDevIn(t, t.TempDir(), autoApprove)
	return issuer
}

// startDevIn runs dev mode with its data in data.
func startDevIn(t *testing.T, data string, autoApprove bool) (string, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	env, err := devmode.Start(ctx, ln, devmode.Options{Data: data, AutoApprove: autoApprove, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = env.Wait() })
	return env.Issuer, data
}

// TestFAPIClientLogins: with the fapi-demo client's key, every login is
// pushed and authenticated with private_key_jwt, and its ID tokens are ES256.
func TestFAPIClientLogins(t *testing.T) {
	issuer, data := startDevIn(t, t.TempDir(), true)
	res, err := bench.Run(context.Background(), bench.Options{Issuer: issuer, EID: "mitid", Concurrency: 2, Duration: time.Second,
		ClientID: devmode.FAPIDemoClientID, ClientKeyFile: filepath.Join(data, devmode.FAPIDemoKeyFile)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Flows == 0 || res.ErrorCount() != 0 {
		t.Fatalf("flows %d, errors %v", res.Flows, res.Errors)
	}
	if !slices.Equal(res.IDTokenAlgs, []string{"ES256"}) {
		t.Errorf("ID token algorithms %v, want [ES256]", res.IDTokenAlgs)
	}
}

func TestCompleteLoginsUnderLoad(t *testing.T) {
	issuer := startDev(t, true)
	for _, eid := range []string{"mitid", "bankid"} {
		t.Run(eid, func(t *testing.T) {
			res, err := bench.Run(context.Background(), bench.Options{Issuer: issuer, EID: eid, Concurrency: 4, Duration: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if res.Flows == 0 || res.ErrorCount() != 0 {
				t.Fatalf("flows %d, errors %v", res.Flows, res.Errors)
			}
			if res.Latency.Count != res.Flows || res.Latency.P50 <= 0 || res.Latency.P50 > res.Latency.P99 || res.Latency.P99 > res.Latency.Max {
				t.Errorf("latency %+v for %d flows", res.Latency, res.Flows)
			}
			if !res.Broker.MetricsAvailable || res.Broker.CPUSeconds <= 0 || res.Broker.ResidentBytes <= 0 {
				t.Errorf("broker usage %+v", res.Broker)
			}
			// The demo client sets no algorithm: OpenID Connect's default.
			if !slices.Equal(res.IDTokenAlgs, []string{"RS256"}) {
				t.Errorf("ID token algorithms %v, want [RS256]", res.IDTokenAlgs)
			}
		})
	}
}

func TestPendingLoginsPollThenCancel(t *testing.T) {
	issuer := startDev(t, false)
	const logins = 6
	res, err := bench.Run(context.Background(), bench.Options{Issuer: issuer, Pending: logins, Concurrency: 3, Duration: 2 * time.Second, SettleWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Pending
	if p == nil || res.EID != "bankid" {
		t.Fatalf("result %+v", res)
	}
	if p.Started != logins || p.StillPending != logins || p.Cancelled != logins || res.ErrorCount() != 0 {
		t.Errorf("started %d, still pending %d, cancelled %d, errors %v", p.Started, p.StillPending, p.Cancelled, res.Errors)
	}
	if p.Polls == 0 || p.PollLatency.Count != p.Polls {
		t.Errorf("polls %d, latency %+v", p.Polls, p.PollLatency)
	}
	if p.PeakResidentBytes <= 0 || p.BaselineGoroutines <= 0 {
		t.Errorf("broker memory %v, baseline goroutines %v", p.PeakResidentBytes, p.BaselineGoroutines)
	}
}

func TestPendingModeRefusesAnAutoApprovingBroker(t *testing.T) {
	issuer := startDev(t, true)
	res, err := bench.Run(context.Background(), bench.Options{Issuer: issuer, Pending: 2, Concurrency: 2, Duration: time.Second, SettleWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.Pending.Started != 0 || res.Errors["start: completed at once (the broker auto-approves)"] != 2 {
		t.Errorf("started %d, errors %v", res.Pending.Started, res.Errors)
	}
}

func TestOptionsAreChecked(t *testing.T) {
	for name, o := range map[string]bench.Options{
		"unknown eID":           {EID: "freja"},
		"pending without order": {EID: "mitid", Pending: 3},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := bench.Run(context.Background(), o); err == nil {
				t.Error("no error")
			}
		})
	}
}

// TestCIBAVerificationsPollWhilePending: ciba mode holds verifications open,
// each client polling the token endpoint at its interval, and measures the
// token endpoint and the broker while they wait.
func TestCIBAVerificationsPollWhilePending(t *testing.T) {
	issuer := startDev(t, false)
	const verifications = 5
	res, err := bench.Run(context.Background(), bench.Options{Issuer: issuer, CIBA: true, Pending: verifications, Concurrency: 2, Duration: 7 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Pending
	if res.Mode != "ciba" || p == nil || p.Started != verifications || p.StillPending != verifications || res.ErrorCount() != 0 {
		t.Fatalf("result %+v, pending %+v", res, p)
	}
	if p.Polls < verifications || p.PollLatency.Count != p.Polls || p.PollLatency.P99 <= 0 {
		t.Errorf("polls %d, latency %+v", p.Polls, p.PollLatency)
	}
	if !res.Broker.MetricsAvailable || res.Broker.CPUPerFlow <= 0 || p.PeakResidentBytes <= 0 {
		t.Errorf("broker usage %+v, peak memory %v", res.Broker, p.PeakResidentBytes)
	}
}
