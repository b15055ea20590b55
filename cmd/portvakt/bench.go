package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/portvakt/portvakt/bench"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o bench.Options
	var asJSON, quiet bool
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Issuer, "issuer", "http://127.0.0.1:8080", "the broker's issuer URL")
	fs.StringVar(&o.MetricsURL, "metrics-url", "", "the broker's /metrics (default <issuer>/metrics as in dev mode; with serve, metrics.listen's, e.g. http://127.0.0.1:9090/metrics)")
	fs.StringVar(&o.EID, "eid", "", "eID to log in with: "+strings.Join(bench.EIDs(), ", ")+" or a connector id (default mitid; bankid with --pending)")
	fs.IntVar(&o.Concurrency, "concurrency", 32, "logins running at once")
	fs.DurationVar(&o.Duration, "duration", 30*time.Second, "how long to start logins (with --pending: how long they poll once all are pending)")
	fs.StringVar(&o.ClientID, "client", "", "client id (default demo; ciba-demo with --ciba)")
	fs.StringVar(&o.ClientSecret, "secret", "", "client secret (client_secret_basic; default the dev mode client's)")
	fs.StringVar(&o.ClientKeyFile, "client-key", "", "the client's private JWK: push requests to PAR and authenticate with private_key_jwt (dev mode's fapi-demo: <data>/fapi-demo.jwk)")
	fs.StringVar(&o.RedirectURI, "redirect-uri", "", "the client's redirect URI (default <issuer>/demo/callback)")
	fs.StringVar(&o.LoginHint, "login-hint", "", "login_hint to send, e.g. sub:<national id> (default none: the simulator's default person)")
	fs.IntVar(&o.Pending, "pending", 0, "pending mode: hold this many BankID logins open, polling once a second (the broker must not auto-approve)")
	fs.BoolVar(&o.CIBA, "ciba", false, "caller verification mode: hold --pending (default 1000) verifications open in poll mode, clients polling the token endpoint at the interval (the broker must not auto-approve; client ciba-demo by default)")
	fs.BoolVar(&o.Sign, "sign", false, "sign mode: each flow signs a loan agreement with an attached document's digest (authorization_details) and checks the evidence in the token response (default eID bankid)")
	fs.BoolVar(&o.SingleSource, "single-source", false, "send BankID logins from one address (by default each comes from its own 127.x.y.z on a loopback issuer, since the broker limits orders per IP)")
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
	fs.BoolVar(&quiet, "quiet", false, "no progress line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	if !quiet {
		o.Progress = stderr
	}
	res, err := bench.Run(ctx, o)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return bench.WriteReport(stdout, res)
}
