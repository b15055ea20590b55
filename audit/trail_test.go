package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/audit"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/testenv"
	"github.com/portvakt/portvakt/keys"
	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/storage"
	"github.com/portvakt/portvakt/storage/sqlstore"
)

// A synthetic personnummer with a valid check digit.
const person = "198507232398"

type fixture struct {
	trail  *audit.Trail
	store  *sqlstore.Store
	sealer *keys.Sealer
	clock  time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	store, err := sqlstore.Open(t.Context(), sqlstore.Config{Driver: sqlstore.DriverSQLite, DSN: filepath.Join(t.TempDir(), "a.db")})
	if err != nil {
		t.Fatal(err)
	}
	testenv.CloseAtEnd(t, store)
	if err := store.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	sealer, err := keys.NewSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: store, clock: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	f.trail = audit.New(audit.Options{Store: store, Sealer: sealer, PersonKey: []byte("person-key"), ChainKey: []byte("chain-key"),
		Now: func() time.Time { return f.clock }})
	if _, err := f.trail.KeyChain(t.Context()); err != nil {
		t.Fatal(err)
	}
	f.sealer = sealer
	t.Cleanup(func() {
		if err := f.trail.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return f
}

func (f *fixture) login(t *testing.T, client, outcome string, at time.Time) {
	t.Helper()
	err := f.trail.RecordLogin(t.Context(), provider.LoginEvent{
		Time: at, ClientID: client, Connector: "se-bankid", LoA: connectors.LoASubstantial, Country: "SE",
		NationalID: person, Subject: "sub-" + client, Outcome: outcome, ClientIP: "192.0.2.7",
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) verify(t *testing.T) audit.Report {
	t.Helper()
	rep, err := f.trail.Verify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.store.DB().ExecContext(t.Context(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (f *fixture) fill(t *testing.T) {
	for i, outcome := range []string{"success", "cancel", "error", "success"} {
		f.login(t, "c"+string(rune('1'+i%2)), outcome, f.clock.Add(time.Duration(i)*time.Minute))
	}
	if err := f.trail.RecordAdmin(t.Context(), audit.AdminEvent{Actor: "cli:root", Action: "client.update", ClientID: "c1", Details: map[string]any{"countries": []string{"SE"}}}); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyFindsTheAlteredRecord(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tamper  string
		seq     int64
		because string
	}{
		{"changed field", "UPDATE audit_records SET client_ip = '203.0.113.9' WHERE chain = 1 AND seq = 3", 3, "altered"},
		{"changed field and rehashed", "UPDATE audit_records SET outcome = 'success', hash = 'ab' WHERE chain = 1 AND seq = 2", 2, "altered"},
		{"deleted record", "DELETE FROM audit_records WHERE chain = 1 AND seq = 4", 4, "missing"},
		{"deleted tail", "DELETE FROM audit_records WHERE chain = 1 AND seq = 5", 5, "missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.fill(t)
			if rep := f.verify(t); !rep.OK || rep.Records != 5 {
				t.Fatalf("untouched chain: %+v", rep)
			}
			f.exec(t, tc.tamper)
			rep := f.verify(t)
			if rep.OK || rep.Broken == nil || rep.Broken.Seq != tc.seq || !strings.Contains(rep.Broken.Reason, tc.because) {
				t.Fatalf("after %q: %+v (broken %v), want record %d %s", tc.tamper, rep, rep.Broken, tc.seq, tc.because)
			}
		})
	}
}

func TestRecordsKeepTheNationalIDSealedAndMasked(t *testing.T) {
	f := newFixture(t)
	f.fill(t)
	var raw []byte
	if err := f.store.DB().QueryRowContext(t.Context(), "SELECT national_id_sealed FROM audit_records WHERE chain = 1 AND seq = 1").Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(person)) || len(raw) == 0 {
		t.Fatal("the national id is stored in clear (or not at all)")
	}
	entries, err := f.trail.List(t.Context(), audit.Query{NationalID: person})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 {
		t.Fatalf("the person's records: %d, want 4", len(entries))
	}
	e := entries[0]
	if e.NationalID != "**********98" || e.LoA != "substantial" || e.Connector != "se-bankid" || e.ClientIP != "192.0.2.7" || e.Outcome != "success" {
		t.Errorf("entry %+v", e)
	}
	recs, err := f.store.ListAudit(t.Context(), storage.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.trail.RevealNationalID(recs[0]); err != nil || got != person {
		t.Errorf("RevealNationalID = %q, %v", got, err)
	}
	recs[1].NationalIDSealed = recs[0].NationalIDSealed
	if _, err := f.trail.RevealNationalID(recs[1]); err == nil {
		t.Error("a sealed id moved to another record opened")
	}
	byClient, _ := f.trail.List(t.Context(), audit.Query{ClientID: "c2"})
	if len(byClient) != 2 {
		t.Errorf("client c2 has %d records, want 2", len(byClient))
	}
	byTime, _ := f.trail.List(t.Context(), audit.Query{From: f.clock.Add(time.Minute), To: f.clock.Add(3 * time.Minute)})
	if len(byTime) != 2 {
		t.Errorf("records in the time window: %d, want 2", len(byTime))
	}
}

func TestExportIsJSONLines(t *testing.T) {
	f := newFixture(t)
	f.fill(t)
	var buf bytes.Buffer
	n, err := f.trail.Export(t.Context(), &buf, audit.Query{})
	if err != nil || n != 5 {
		t.Fatalf("Export: %d, %v", n, err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		var e audit.Entry
		if err := json.Unmarshal([]byte(l), &e); err != nil || e.Hash == "" {
			t.Errorf("line %q: %v", l, err)
		}
		if strings.Contains(l, person) {
			t.Error("the export holds a national id in clear")
		}
	}
}

func TestPurgeKeepsTheChainVerifiable(t *testing.T) {
	f := newFixture(t)
	f.fill(t)
	f.clock = f.clock.Add(24*time.Hour + 90*time.Second)
	n, err := f.trail.Purge(t.Context(), 24*time.Hour)
	if err != nil || n != 2 {
		t.Fatalf("Purge: %d, %v; want 2", n, err)
	}
	if rep := f.verify(t); !rep.OK || rep.Records != 3 {
		t.Fatalf("after purge: %+v %v", rep, rep.Broken)
	}
	f.login(t, "c1", "success", f.clock)
	if rep := f.verify(t); !rep.OK || rep.Records != 4 {
		t.Fatalf("after purge and append: %+v", rep)
	}
}

// Logins recorded at once share transactions (group commit) and still form one
// verifiable chain with every record in it.
func TestConcurrentRecordsFormOneChain(t *testing.T) {
	f := newFixture(t)
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { f.login(t, fmt.Sprintf("client-%d", i), "success", f.clock) })
	}
	wg.Wait()
	rep := f.verify(t)
	if !rep.OK || rep.Records != n {
		t.Fatalf("report %+v, want %d records in a chain that verifies", rep, n)
	}
}
