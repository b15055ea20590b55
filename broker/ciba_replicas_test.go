package broker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/config"
	bankidsim "github.com/portvakt/portvakt/connectors/sebankid/sim"
	"github.com/portvakt/portvakt/internal/testenv"
	"github.com/portvakt/portvakt/internal/testid"
)

// TestCIBACollectionMovesToAnotherProcess: a caller verification is collected
// in the background by one broker process at a time; when that process stops,
// another takes the collection over (once its lease has lapsed) and the
// client gets its tokens from the other process.
func TestCIBACollectionMovesToAnotherProcess(t *testing.T) {
	t.Parallel()
	dsn := testenv.MySQLDatabase(t)
	front := startFrontDoor(t, false)
	master := newMasterKey(t)
	const clientID, secret = "callcentre", "callcentre-secret-0123456789"
	var procs [2]struct {
		b      *broker.Broker
		url    string
		cancel context.CancelFunc
	}
	for i := range procs {
		cfg := front.config(t, dsn, master)
		cfg.Clients = append(cfg.Clients, config.Client{ID: clientID, Secret: secret, GrantTypes: []string{config.GrantTypeCIBA}})
		cfg.ApplyDefaults()
		if problems := cfg.Validate(); len(problems) > 0 {
			t.Fatal(problems.Err())
		}
		b, err := broker.Build(t.Context(), cfg, front.logger(), front.sims.Wrap)
		if err != nil {
			t.Fatal(err)
		}
		testenv.CloseAtEnd(t, b.Store)
		srv := httptest.NewServer(b.Provider.Handler())
		t.Cleanup(srv.Close)
		procs[i].b, procs[i].url = b, srv.URL
	}
	sim := front.sims.Simulator("se-bankid").(*bankidsim.Dev).Sim
	post := func(base, path string, form url.Values) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(clientID, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return out
	}

	// The first process collects.
	ctxA, stopA := context.WithCancel(context.Background())
	t.Cleanup(stopA)
	procs[0].b.Background(ctxA)
	pnr := testid.Personnummer(time.Date(1977, 7, 7, 0, 0, 0, 0, time.UTC), 421)
	ack := post(procs[0].url, "/oauth/bc-authorize", url.Values{"scope": {"openid national_id"}, "login_hint": {"se-pnr:" + pnr}})
	authReqID, _ := ack["auth_req_id"].(string)
	if authReqID == "" {
		t.Fatalf("acknowledgement %v", ack)
	}
	ref := ""
	for range 100 {
		for _, o := range sim.Orders() {
			if o.PersonalNumber == pnr && len(sim.RequestsTo("collect")) > 0 {
				ref = o.Ref
			}
		}
		if ref != "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if ref == "" {
		t.Fatal("the first process never collected the phone order")
	}
	// It stops; the caller approves; the second process takes over.
	stopA()
	if _, err := sim.Approve(ref, ""); err != nil {
		t.Fatal(err)
	}
	ctxB, stopB := context.WithCancel(context.Background())
	t.Cleanup(stopB)
	procs[1].b.Background(ctxB)
	var tok map[string]any
	for range 30 {
		time.Sleep(5 * time.Second)
		tok = post(procs[1].url, "/oauth/token", url.Values{"grant_type": {config.GrantTypeCIBA}, "auth_req_id": {authReqID}})
		if tok["error"] != "authorization_pending" {
			break
		}
	}
	if tok["id_token"] == nil {
		t.Fatalf("the second process never finished the verification: %v", tok)
	}
}
