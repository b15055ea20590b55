package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/audit"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/storage"
)

// process is another broker process's trail on the fixture's database, with
// the same keys.
func (f *fixture) process(t *testing.T) *audit.Trail {
	t.Helper()
	tr := audit.New(audit.Options{Store: f.store, Sealer: f.sealer, PersonKey: []byte("person-key"), ChainKey: []byte("chain-key"),
		Now: func() time.Time { return f.clock }})
	t.Cleanup(func() {
		if err := tr.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return tr
}

func loginOn(t *testing.T, tr *audit.Trail, client string, at time.Time) {
	t.Helper()
	if err := tr.RecordLogin(t.Context(), provider.LoginEvent{
		Time: at, ClientID: client, Connector: "se-bankid", LoA: connectors.LoASubstantial, Country: "SE",
		NationalID: person, Subject: "sub-" + client, Outcome: "success", ClientIP: "192.0.2.7",
	}); err != nil {
		t.Fatal(err)
	}
}

func anchor(t *testing.T, tr *audit.Trail) {
	t.Helper()
	if err := tr.Anchor(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// Two processes record logins at once, each on a chain of its own; the trail
// verifies as a whole, and each process's anchors name the other's head.
func TestTwoProcessesAppendToChainsOfTheirOwn(t *testing.T) {
	f := newFixture(t)
	a, b := f.trail, f.process(t)
	const each = 20
	var wg sync.WaitGroup
	for i := range each {
		wg.Go(func() { loginOn(t, a, fmt.Sprint("a-", i), f.clock) })
		wg.Go(func() { loginOn(t, b, fmt.Sprint("b-", i), f.clock) })
	}
	wg.Wait()
	if a.Chain() == 0 || b.Chain() == 0 || a.Chain() == b.Chain() {
		t.Fatalf("chains %d and %d, want two different ones", a.Chain(), b.Chain())
	}
	anchor(t, a)
	anchor(t, b)
	anchor(t, b) // nothing moved since: no new anchor
	rep := f.verify(t)
	if !rep.OK {
		t.Fatalf("two chains: %+v (%v)", rep, rep.Broken)
	}
	var anchors int
	for _, r := range f.records(t) {
		if r.Action == audit.ActionAnchor {
			anchors++
		}
	}
	// The process that claimed its chain second anchored the first one's head
	// on its claim, unless both claimed before either had committed; then one
	// forced anchor each. Each anchor names the one other chain.
	if anchors < 2 || anchors > 3 || rep.Anchors != anchors {
		t.Errorf("%d anchor records, %d anchored heads checked; want 2 or 3, and as many", anchors, rep.Anchors)
	}
	if rep.Records != 2*each+anchors || len(rep.Chains) != 3 {
		t.Errorf("report %+v; want %d records in chains 0 (empty), %d and %d", rep, 2*each+anchors, a.Chain(), b.Chain())
	}
}

// A process that closes frees its chain for the next one.
func TestClosedProcessFreesItsChain(t *testing.T) {
	f := newFixture(t)
	first := f.process(t)
	loginOn(t, first, "c1", f.clock)
	if err := first.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	loginOn(t, f.trail, "c2", f.clock)
	if first.Chain() != f.trail.Chain() {
		t.Errorf("the next process took chain %d, want the freed %d", f.trail.Chain(), first.Chain())
	}
	if rep := f.verify(t); !rep.OK || rep.Records != 2 {
		t.Fatalf("one chain written by two processes in turn: %+v (%v)", rep, rep.Broken)
	}
}

// tied is two chains that anchor each other: chain 1 (the fixture's process)
// with records 1-3 and an anchor of chain 2 at 4, chain 2 with an anchor of
// chain 1's record 3 at 1 and records 2-3.
// at2 is chain 1's head row at record 2, as a backup taken then holds it.
func tied(t *testing.T) (f *fixture, b *audit.Trail, at2 headRow) {
	t.Helper()
	f = newFixture(t)
	for i := range 3 {
		loginOn(t, f.trail, fmt.Sprint("a-", i), f.clock)
		if i == 1 {
			at2 = f.headRowOf(t, 1)
		}
	}
	b = f.process(t)
	loginOn(t, b, "b-1", f.clock)
	loginOn(t, b, "b-2", f.clock)
	anchor(t, f.trail)
	if rep := f.verify(t); !rep.OK || rep.Anchors != 2 || f.trail.Chain() != 1 || b.Chain() != 2 {
		t.Fatalf("two tied chains: %+v (%v)", rep, rep.Broken)
	}
	return f, b, at2
}

func TestVerifyFindsBrokenTiesBetweenChains(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, f *fixture, at2 headRow)
		chain  int64
		reason string
	}{
		{"a whole chain deleted", func(t *testing.T, f *fixture, at2 headRow) {
			f.exec(t, "DELETE FROM audit_records WHERE chain = 2")
			f.exec(t, "DELETE FROM audit_chain WHERE chain = 2")
		}, 2, "the chain is gone"},
		{"a chain cut back below an anchor, its older head restored", func(t *testing.T, f *fixture, at2 headRow) {
			// Chain 1's head as it was at record 2, from a backup: chain 1
			// alone verifies, but chain 2's anchor names its record 3.
			f.exec(t, "DELETE FROM audit_records WHERE chain = 1 AND seq > 2")
			f.restoreHeadOf(t, 1, at2)
		}, 1, "cut back"},
		{"a record moved to another chain", func(t *testing.T, f *fixture, at2 headRow) {
			f.exec(t, "DELETE FROM audit_records WHERE chain = 1 AND seq = 2")
			f.exec(t, "UPDATE audit_records SET chain = 1 WHERE chain = 2 AND seq = 2")
		}, 1, "altered"},
		{"a head altered", func(t *testing.T, f *fixture, at2 headRow) {
			f.exec(t, "UPDATE audit_chain SET anchor_seq = 1, anchor_hash = 'x' WHERE chain = 2")
		}, 2, "head or purge anchor was altered"},
		{"a head deleted, its records kept", func(t *testing.T, f *fixture, at2 headRow) {
			f.exec(t, "DELETE FROM audit_chain WHERE chain = 2")
		}, 2, "no head"},
		{"a record stored past a head", func(t *testing.T, f *fixture, _ headRow) {
			f.exec(t, "INSERT INTO audit_records (chain, seq, id, at, kind, prev_hash, hash) SELECT chain, seq + 1, 'extra', at, kind, hash, hash FROM audit_records WHERE chain = 2 AND seq = 3")
		}, 2, "past the chain head"},
		{"an anchor's head rewritten", func(t *testing.T, f *fixture, at2 headRow) {
			f.exec(t, "UPDATE audit_records SET details = REPLACE(details, '\"seq\":3', '\"seq\":2') WHERE chain = 2 AND seq = 1")
		}, 2, "altered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _, at2 := tied(t)
			tc.tamper(t, f, at2)
			rep := f.mustBreak(t, tc.name)
			if rep.Broken.Chain != tc.chain || !strings.Contains(rep.Broken.Reason, tc.reason) {
				t.Errorf("broken at %v, want chain %d %q", rep.Broken, tc.chain, tc.reason)
			}
		})
	}
}

// A checkpoint covers every chain: a chain deleted whole after it is found
// even if no anchor named it yet.
func TestCheckpointCoversEveryChain(t *testing.T) {
	f := newFixture(t)
	loginOn(t, f.trail, "a", f.clock)
	b := f.process(t)
	loginOn(t, b, "b", f.clock) // chain 2, anchoring chain 1; nothing anchors chain 2
	c := f.checkpoint(t)
	if len(c.Heads) != 3 {
		t.Fatalf("checkpoint heads %+v, want chains 0, 1 and 2", c.Heads)
	}
	raw, _ := json.Marshal(c)
	parsed, err := audit.ParseCheckpoint(raw)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := f.trail.VerifyCheckpoint(t.Context(), parsed); err != nil || !rep.OK || rep.Checkpoint != 3 {
		t.Fatalf("untouched trail against its checkpoint: %+v (%v), %v", rep, rep.Broken, err)
	}
	f.exec(t, "DELETE FROM audit_records WHERE chain = 2")
	f.exec(t, "DELETE FROM audit_chain WHERE chain = 2")
	if rep := f.verify(t); !rep.OK {
		t.Fatalf("a chain no anchor named yet is gone without a trace but the checkpoint: %+v", rep.Broken)
	}
	rep, err := f.trail.VerifyCheckpoint(t.Context(), parsed)
	if err != nil || rep.OK || rep.Broken.Chain != 2 || !strings.Contains(rep.Broken.Reason, "the chain is gone") {
		t.Fatalf("against the checkpoint: %+v (%v), %v; want chain 2 gone", rep, rep.Broken, err)
	}
}

// A checkpoint written when there was one chain (seq, hash, keyed_from, no
// heads) still reads, and is held against chain 0.
func TestOneChainCheckpointIsCheckedAgainstChainZero(t *testing.T) {
	f := newFixture(t)
	key := audit.ChainKeyOf([]byte("chain-key"))
	var last string
	for _, id := range []string{"k-1", "k-2"} {
		recs, err := f.store.AppendAudit(t.Context(), 0, []storage.AuditRecord{{ID: id, Time: f.clock, Kind: audit.KindAdmin, Actor: "cli:root", Action: "client.create"}}, key)
		if err != nil {
			t.Fatal(err)
		}
		last = recs[0].Hash
	}
	loginOn(t, f.trail, "c", f.clock)
	old := f.trail.Sign(audit.Checkpoint{Seq: 2, Hash: last, KeyedFrom: 1, Time: f.clock})
	raw := fmt.Sprintf(`{"seq":2,"hash":%q,"keyed_from":1,"time":%q,"mac":%q}`, last, f.clock.Format(time.RFC3339Nano), old.MAC)
	c, err := audit.ParseCheckpoint([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := f.trail.VerifyCheckpoint(t.Context(), c); err != nil || !rep.OK || rep.Checkpoint != 1 {
		t.Fatalf("a one-chain checkpoint: %+v (%v), %v", rep, rep.Broken, err)
	}
	ahead := f.trail.Sign(audit.Checkpoint{Seq: 3, Hash: last, KeyedFrom: 1, Time: f.clock})
	if rep, err := f.trail.VerifyCheckpoint(t.Context(), ahead); err != nil || rep.OK || rep.Broken.Chain != 0 || rep.Broken.Seq != 3 {
		t.Fatalf("a one-chain checkpoint past chain 0's head: %+v (%v), %v", rep, rep.Broken, err)
	}
}

// Purge cuts every chain; what is left of each still verifies, and the
// anchors into purged records are accepted.
func TestPurgeKeepsEveryChainVerifiable(t *testing.T) {
	f, b, _ := tied(t)
	f.clock = f.clock.Add(48 * time.Hour)
	loginOn(t, f.trail, "late-a", f.clock)
	loginOn(t, b, "late-b", f.clock)
	n, err := f.trail.Purge(t.Context(), 24*time.Hour)
	if err != nil || n != 7 {
		t.Fatalf("Purge: %d, %v; want the 7 old records of both chains", n, err)
	}
	if rep := f.verify(t); !rep.OK || rep.Records != 2 {
		t.Fatalf("after the purge: %+v (%v)", rep, rep.Broken)
	}
}

// Listing pages through every chain with the cursor of each page's last
// entry, in time order, each record once; the cursor's text form round-trips.
func TestListPagesAcrossChains(t *testing.T) {
	f := newFixture(t)
	b := f.process(t)
	for i := range 6 {
		tr := f.trail
		if i%2 == 1 {
			tr = b
		}
		loginOn(t, tr, fmt.Sprint("c", i), f.clock.Add(time.Duration(i/2)*time.Second))
	}
	seen := map[string]bool{}
	var last time.Time
	q := audit.Query{Limit: 2}
	for range 10 {
		page, err := f.trail.List(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			if seen[e.ID] || e.Time.Before(last) {
				t.Fatalf("entry %+v again or out of time order", e)
			}
			seen[e.ID], last = true, e.Time
		}
		if len(page) < q.Limit {
			break
		}
		cursor := audit.CursorAfter(page[len(page)-1])
		parsed, err := audit.ParseCursor(cursor.String())
		if err != nil || parsed != cursor {
			t.Fatalf("cursor %q read back as %+v, %v", cursor, parsed, err)
		}
		q.After = parsed
	}
	// The six logins and chain 2's anchor of chain 1.
	if len(seen) != 7 {
		t.Errorf("%d entries listed, want 7", len(seen))
	}
	for _, bad := range []string{"12", "a.b.c", "1.2.-3", "1.2.3.4"} {
		if _, err := audit.ParseCursor(bad); err == nil {
			t.Errorf("cursor %q was read", bad)
		}
	}
}
