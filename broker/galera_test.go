package broker_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/audit"
	"github.com/portvakt/portvakt/internal/galeratest"
	"github.com/portvakt/portvakt/storage/sqlstore"
)

// auditHotSpotDuration is how long three brokers append audit records at once
// (the issue asks for a minute; CI runs a shorter burst of the same).
const auditHotSpotDuration = 20 * time.Second

// loadWorkers is how many back-to-back logins run during a fault.
const loadWorkers = 3

// Faults on a three-node Galera cluster with a broker per node, logins and
// token traffic running across the three: what the issue promises holds after
// each. One cluster serves every scenario, each leaving it whole.
func TestGaleraFaults(t *testing.T) {
	t.Parallel()
	g := startGaleraStack(t)
	l := newLedger()
	g.mustServe(t, l, 3)
	if t.Failed() {
		t.FailNow()
	}

	scenario := func(name string, run func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			before, _ := brokerGoroutines()
			begun := time.Now()
			run(t)
			g.awaitWhole(t)
			g.checkInvariants(t, l)
			after := noGoroutinesLeaked(t, before)
			t.Logf("%s took %s; broker goroutines %d before, %d after", name, time.Since(begun).Round(100*time.Millisecond), before, after)
		})
	}

	scenario("three processes migrate an empty database at once", func(t *testing.T) {
		g.migrateAtOnce(t)
	})

	scenario("a node killed mid-login; the login completes through another broker", func(t *testing.T) {
		const victim = 0
		ld := g.startLoad(t, l, loadWorkers)
		req, br, callback := g.atEID(t, victim)
		g.cluster.Kill(t, victim)
		rejoined := false
		t.Cleanup(func() {
			if !rejoined {
				g.cluster.Rejoin(t, victim)
			}
		})
		body := g.awaitReadiness(t, victim, http.StatusServiceUnavailable, 30*time.Second)
		t.Logf("broker %d with its node killed: %s", victim, body)
		g.cluster.WaitMembers(t, 1, galeratest.Nodes-1)

		code := req.code(t, br.visit(g.brokers[1].url+callback.RequestURI()))
		l.issued(code)
		tr := req.exchange(t, g.brokers[2].url, code)
		if tr.status == http.StatusOK {
			userinfo(t, g.brokers[1].url, tr.AccessToken)
		}
		again := req.exchange(t, g.brokers[1].url, code)
		l.redeemed(code, tr.status == http.StatusOK, again.status == http.StatusOK)
		if tr.status != http.StatusOK {
			t.Errorf("the code of the login completed through broker 1 failed at broker 2: %d %s %s", tr.status, tr.Error, tr.ErrorDescription)
		}

		g.cluster.Rejoin(t, victim)
		rejoined = true
		g.awaitReadiness(t, victim, http.StatusOK, 30*time.Second)
		t.Log("load: ", ld.stop())
		g.mustServe(t, l, 6)
	})

	scenario("an isolated node's broker is unready, the majority serves, and after healing nothing is stale", func(t *testing.T) {
		const isolated = 2
		ld := g.startLoad(t, l, loadWorkers)
		g.cluster.Isolate(t, isolated)
		healed := false
		t.Cleanup(func() {
			if !healed {
				g.cluster.Heal(t, isolated)
			}
		})
		body := g.awaitReadiness(t, isolated, http.StatusServiceUnavailable, 30*time.Second)
		if !strings.Contains(body, "Primary") {
			t.Errorf("the isolated broker's /readyz does not say why: %s", body)
		}
		g.awaitRotation(t, isolated, false)
		g.cluster.WaitMembers(t, 0, galeratest.Nodes-1)
		g.mustServe(t, l, 3)

		g.cluster.Heal(t, isolated)
		healed = true
		g.awaitReadiness(t, isolated, http.StatusOK, 60*time.Second)
		g.awaitRotation(t, isolated, true)
		t.Log("load: ", ld.stop())
		g.noStaleReads(t, l, 9)
	})

	scenario("three brokers append audit records at once", func(t *testing.T) {
		g.auditHotSpot(t, auditHotSpotDuration)
	})

	scenario("a full cluster restart; logins work after it", func(t *testing.T) {
		g.cluster.StopAll(t)
		for i := range g.brokers {
			g.awaitReadiness(t, i, http.StatusServiceUnavailable, 30*time.Second)
		}
		g.cluster.RestartAll(t)
		for i := range g.brokers {
			g.awaitReadiness(t, i, http.StatusOK, 60*time.Second)
		}
		g.mustServe(t, l, 6)
	})
}

// atEID starts a login at broker i and stops where the eID sends the person
// back: the returned URL is the broker's callback, not yet visited.
func (g *galeraStack) atEID(t *testing.T, i int) (*authRequest, *browser, *url.URL) {
	t.Helper()
	req, br := newAuthRequest(g.front.url), newBrowser(t)
	at := br.visitUntil(req.url(g.brokers[i].url, mitidACR), func(u *url.URL) bool {
		return strings.HasPrefix(u.Path, "/callback/")
	})
	if !strings.HasPrefix(at.url.Path, "/callback/") {
		t.Fatalf("the login did not reach the eID's callback: %d at %s", at.status, at.url)
	}
	return req, br, at.url
}

// awaitRotation waits until the front door's health check has taken broker i
// out of rotation (in false) or put it back.
func (g *galeraStack) awaitRotation(t *testing.T, i int, in bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for slices.Contains(g.serving(), i) != in {
		if time.Now().After(deadline) {
			t.Fatalf("broker %d: in rotation %t, want %t", i, !in, in)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// noStaleReads issues codes through each broker and redeems each at once
// through the next, then tries it again through the third: a node that missed
// the code's write would refuse the first redemption.
func (g *galeraStack) noStaleReads(t *testing.T, l *ledger, rounds int) {
	t.Helper()
	for r := range rounds {
		issuer, redeemer, other := r%galeratest.Nodes, (r+1)%galeratest.Nodes, (r+2)%galeratest.Nodes
		req, br, callback := g.atEID(t, issuer)
		code := req.code(t, br.visit(g.brokers[issuer].url+callback.RequestURI()))
		l.issued(code)
		tr := req.exchange(t, g.brokers[redeemer].url, code)
		if tr.status == http.StatusOK {
			userinfo(t, g.brokers[other].url, tr.AccessToken)
		}
		again := req.exchange(t, g.brokers[other].url, code)
		l.redeemed(code, tr.status == http.StatusOK, again.status == http.StatusOK)
		if tr.status != http.StatusOK {
			t.Errorf("a code issued through node %d, redeemed at once through node %d: %d %s %s", issuer, redeemer,
				tr.status, tr.Error, tr.ErrorDescription)
		}
		if again.status != http.StatusBadRequest || again.Error != "invalid_grant" {
			t.Errorf("the code tried again through node %d: %d %s, want invalid_grant", other, again.status, again.Error)
		}
	}
}

// migrateAtOnce opens a store per node on one empty database and migrates all
// three at once: each must succeed, leaving one schema, the same on every node.
func (g *galeraStack) migrateAtOnce(t *testing.T) {
	t.Helper()
	dsns := g.cluster.CreateDatabase(t, "migrate_at_once")
	var wg sync.WaitGroup
	errs := make([]error, len(dsns))
	for i, dsn := range dsns {
		wg.Go(func() {
			s, err := sqlstore.Open(context.Background(), sqlstore.Config{Driver: sqlstore.DriverMySQL, DSN: dsn})
			if err != nil {
				errs[i] = err
				return
			}
			errs[i] = errors.Join(s.Migrate(context.Background()), s.Close())
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrate through node %d: %v", i, err)
		}
	}
	var first string
	for i, dsn := range dsns {
		schema := describeSchema(t, dsn)
		if i == 0 {
			first = schema
			continue
		}
		if schema != first {
			t.Errorf("node %d's schema differs from node 0's:\n%s\n---- node 0:\n%s", i, schema, first)
		}
	}
}

// describeSchema lists a database's columns, indexes and applied migrations.
func describeSchema(t *testing.T, dsn string) string {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}()
	var b strings.Builder
	for _, q := range []string{
		`SELECT CONCAT_WS(' ', TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, IFNULL(COLUMN_DEFAULT, 'NULL'))
			FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`,
		`SELECT CONCAT_WS(' ', TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME)
			FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
		`SELECT CAST(version AS CHAR) FROM schema_migrations ORDER BY version`,
	} {
		rows, err := db.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatalf("describe the schema: %v", err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			b.WriteString(line + "\n")
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// auditHotSpot has every broker append admin records from two goroutines for
// d: none may give up, and the chain must verify.
func (g *galeraStack) auditHotSpot(t *testing.T, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	appended, gaveUp := 0, map[string]int{}
	for i, b := range g.brokers {
		for w := range 2 {
			wg.Go(func() {
				for n := 0; ctx.Err() == nil; n++ {
					err := b.broker.Admin.Audit.RecordAdmin(context.Background(), audit.AdminEvent{
						Actor: fmt.Sprintf("load-%d-%d", i, w), Action: "client.update", ClientID: rpID, Outcome: "success",
						Details: map[string]int{"n": n},
					})
					mu.Lock()
					if err != nil {
						gaveUp[err.Error()]++
					} else {
						appended++
					}
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	t.Logf("%d audit records appended from three brokers in %s", appended, d)
	for i, b := range g.brokers {
		st := b.broker.Store.TxStats()
		t.Logf("broker %d: %d write retries, %d give-ups, %d unknown commits since it started", i, st.Retries, st.GaveUp, st.Unknown)
	}
	for msg, n := range gaveUp {
		t.Errorf("%d appends gave up: %s", n, msg)
	}
}
