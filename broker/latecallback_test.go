package broker_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/internal/testenv"
)

// A person who cancels at the broker while their eID's page is still open, and
// then approves there, gets nothing: the upstream's late callback does not revive
// the cancelled login or give the relying party a code. Each redirect eID is run
// against its simulator as in dev mode.
func TestLateUpstreamApprovalAfterCancel(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	logs := &testenv.SyncBuffer{}
	env, err := devmode.Start(ctx, ln, devmode.Options{
		Data: t.TempDir(), ExtraRedirectURIs: []string{rpRedirect},
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("broker logs:\n%s", logs.String())
		}
	})

	for _, tc := range []struct{ eid, acr string }{
		{"dk-mitid", "urn:portvakt:eid:dk:mitid"},
		{"no-bankid", "urn:portvakt:eid:no:bankid"},
		{"fi-ftn", "urn:portvakt:eid:fi:ftn"},
	} {
		t.Run(tc.eid, func(t *testing.T) {
			q := url.Values{"client_id": {"demo"}, "response_type": {"code"}, "redirect_uri": {rpRedirect},
				"scope": {"openid"}, "state": {"st"}, "nonce": {"n"}, "acr_values": {tc.acr}}
			br := newBrowser(t)
			login := br.visitUntil(env.Issuer+"/authorize?"+q.Encode(), func(u *url.URL) bool {
				return strings.HasPrefix(u.Path, "/login/")
			})
			atSim := br.visit(login.url.String())
			if back := br.visit(login.url.String() + "/cancel"); back.rp.Get("error") != "access_denied" {
				t.Fatalf("cancel gave the relying party %v (%d at %s)", back.rp, back.status, back.url)
			}
			user := env.Simulators.OIDC[tc.eid].TestUsers()[0]
			late := br.approveAtSimulator(atSim, user.NationalID)
			if late.rp != nil {
				t.Fatalf("the approval after the cancel reached the relying party: %v", late.rp)
			}
			if late.status != http.StatusBadRequest || !strings.HasPrefix(late.url.Path, "/callback/") {
				t.Errorf("the late callback ended %d at %s, want the broker's 400 error page", late.status, late.url)
			}
		})
	}
}
