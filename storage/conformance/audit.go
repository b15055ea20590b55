package conformance

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// NewAuditLog returns an empty audit log for one test.
type NewAuditLog func(t *testing.T) storage.AuditLog

// RunAuditTests runs the audit log suite; each subtest gets a fresh log.
func RunAuditTests(t *testing.T, newLog NewAuditLog) {
	t.Helper()
	runSuite(t, newLog, []suiteTest[storage.AuditLog]{
		{"AppendChains", testAuditAppendChains},
		{"Query", testAuditQuery},
		{"PurgeKeepsAnchor", testAuditPurge},
		{"ConcurrentAppendsFormOneChain", testAuditConcurrent},
		{"HashErrorStoresNothing", testAuditHashError},
		{"KeyEmptyChain", testAuditKeyEmpty},
		{"KeyChainReanchorsOnce", testAuditKeyReanchors},
	})
}

// testChain is a stand-in for the audit package's keyed chain; fail makes
// RecordHash fail.
type testChain struct{ fail error }

func (c testChain) RecordHash(r storage.AuditRecord) (string, error) {
	if c.fail != nil {
		return "", c.fail
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%d|%s|%s|%s|%d", r.Seq, r.ID, r.ClientID, r.PrevHash, r.Time.UnixMilli()))
	return hex.EncodeToString(sum[:]), nil
}

func (testChain) HeadMAC(h storage.AuditHead) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "head|%d|%s|%d|%s|%d", h.LastSeq, h.LastHash, h.AnchorSeq, h.AnchorHash, h.KeyedFrom))
	return hex.EncodeToString(sum[:])
}

// headIsSealed checks that the stored head carries the MAC of its own fields.
func headIsSealed(t *testing.T, what string, h storage.AuditHead) {
	t.Helper()
	if h.MAC != (testChain{}).HeadMAC(h) {
		t.Errorf("%s: head %+v does not carry its MAC", what, h)
	}
}

func appendRecord(t *testing.T, l storage.AuditLog, id, client string, at time.Time) storage.AuditRecord {
	t.Helper()
	rs, err := l.AppendAudit(t.Context(), []storage.AuditRecord{{
		ID: id, Time: at, Kind: "login", ClientID: client, Subject: "sub-" + id, PersonKey: "pk-" + client,
		NationalIDSealed: []byte{1, 2, 3}, NationalIDMasked: "**********98", Outcome: "success",
		Details: []byte(`{"a":1}`),
	}}, testChain{})
	mustNoErr(t, "AppendAudit "+id, err)
	return rs[0]
}

func testAuditAppendChains(t *testing.T, l storage.AuditLog) {
	at := time.Now().Add(-time.Minute)
	a := appendRecord(t, l, "a", "c1", at)
	b := appendRecord(t, l, "b", "c1", at)
	if a.Seq != 1 || b.Seq != 2 || a.PrevHash != "" || b.PrevHash != a.Hash || a.Hash == "" {
		t.Fatalf("chain: a=%d prev %q hash %q, b=%d prev %q", a.Seq, a.PrevHash, a.Hash, b.Seq, b.PrevHash)
	}
	head, err := l.AuditHead(t.Context())
	mustNoErr(t, "AuditHead", err)
	if head.LastSeq != 2 || head.LastHash != b.Hash || head.AnchorSeq != 0 || head.AnchorHash != "" {
		t.Errorf("head = %+v", head)
	}
	headIsSealed(t, "after appends", head)
	got, err := l.ListAudit(t.Context(), storage.AuditQuery{})
	mustNoErr(t, "ListAudit", err)
	if len(got) != 2 {
		t.Fatalf("ListAudit returned %d records, want 2", len(got))
	}
	r := got[0]
	sameTime(t, "Time", r.Time, at)
	sameBytes(t, "NationalIDSealed", r.NationalIDSealed, []byte{1, 2, 3})
	sameJSON(t, "Details", r.Details, []byte(`{"a":1}`))
	if r.ID != "a" || r.Kind != "login" || r.Subject != "sub-a" || r.NationalIDMasked != "**********98" || r.Hash != a.Hash {
		t.Errorf("record read back = %+v", r)
	}
	if h, _ := (testChain{}).RecordHash(r); h != r.Hash {
		t.Errorf("a record read back hashes to %s, stored %s: a field changed on the way", h, r.Hash)
	}
}

func testAuditQuery(t *testing.T, l storage.AuditLog) {
	base := time.Now().Add(-time.Hour)
	for i, c := range []string{"c1", "c2", "c1", "c2", "c1"} {
		appendRecord(t, l, fmt.Sprint("r", i), c, base.Add(time.Duration(i)*time.Minute))
	}
	ids := func(q storage.AuditQuery) []string {
		t.Helper()
		got, err := l.ListAudit(t.Context(), q)
		mustNoErr(t, "ListAudit", err)
		var out []string
		for _, r := range got {
			out = append(out, r.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    storage.AuditQuery
		want []string
	}{
		{"client", storage.AuditQuery{ClientID: "c1"}, []string{"r0", "r2", "r4"}},
		{"person", storage.AuditQuery{PersonKey: "pk-c2"}, []string{"r1", "r3"}},
		{"subject", storage.AuditQuery{Subject: "sub-r3"}, []string{"r3"}},
		{"time", storage.AuditQuery{From: base.Add(time.Minute), To: base.Add(3 * time.Minute)}, []string{"r1", "r2"}},
		{"page", storage.AuditQuery{AfterSeq: 2, Limit: 2}, []string{"r2", "r3"}},
	} {
		t.Run(tc.name, func(t *testing.T) { sameStrings(t, "ids", ids(tc.q), tc.want) })
	}
}

func testAuditPurge(t *testing.T, l storage.AuditLog) {
	base := time.Now().Add(-10 * time.Hour)
	var recs []storage.AuditRecord
	for i := range 4 {
		recs = append(recs, appendRecord(t, l, fmt.Sprint("p", i), "c", base.Add(time.Duration(i)*time.Hour)))
	}
	n, err := l.PurgeAudit(t.Context(), base.Add(90*time.Minute), testChain{})
	mustNoErr(t, "PurgeAudit", err)
	if n != 2 {
		t.Errorf("PurgeAudit deleted %d, want 2", n)
	}
	head, err := l.AuditHead(t.Context())
	mustNoErr(t, "AuditHead", err)
	if head.AnchorSeq != 2 || head.AnchorHash != recs[1].Hash || head.LastSeq != 4 {
		t.Errorf("head after purge = %+v, want anchor at 2 (%s)", head, recs[1].Hash)
	}
	headIsSealed(t, "after purge", head)
	left, err := l.ListAudit(t.Context(), storage.AuditQuery{})
	mustNoErr(t, "ListAudit", err)
	if len(left) != 2 || left[0].PrevHash != head.AnchorHash {
		t.Errorf("after purge: %d records, first links to %q, anchor %q", len(left), left[0].PrevHash, head.AnchorHash)
	}
	if n, err := l.PurgeAudit(t.Context(), base, testChain{}); err != nil || n != 0 {
		t.Errorf("second purge of nothing: %d, %v", n, err)
	}
	next := appendRecord(t, l, "after", "c", time.Now())
	if next.Seq != 5 || next.PrevHash != recs[3].Hash {
		t.Errorf("append after purge: seq %d prev %q", next.Seq, next.PrevHash)
	}
}

func testAuditConcurrent(t *testing.T, l storage.AuditLog) {
	const writers, each = 4, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				// Batches of two, so single and batched appends interleave.
				_, err := l.AppendAudit(t.Context(), []storage.AuditRecord{
					{ID: fmt.Sprintf("w%d-%d-a", w, i), Time: time.Now(), Kind: "login"},
					{ID: fmt.Sprintf("w%d-%d-b", w, i), Time: time.Now(), Kind: "login"},
				}, testChain{})
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		mustNoErr(t, "concurrent AppendAudit", err)
	}
	got, err := l.ListAudit(t.Context(), storage.AuditQuery{})
	mustNoErr(t, "ListAudit", err)
	if len(got) != 2*writers*each {
		t.Fatalf("%d records, want %d", len(got), 2*writers*each)
	}
	prev := ""
	for i, r := range got {
		if r.Seq != int64(i+1) || r.PrevHash != prev {
			t.Fatalf("record %d: seq %d prev %q, want seq %d prev %q", i, r.Seq, r.PrevHash, i+1, prev)
		}
		prev = r.Hash
	}
}

func testAuditHashError(t *testing.T, l storage.AuditLog) {
	_, err := l.AppendAudit(t.Context(), []storage.AuditRecord{{ID: "x", Time: time.Now(), Kind: "login"}},
		testChain{fail: errUpdater})
	mustErrIs(t, "AppendAudit with a failing hash", err, errUpdater)
	head, err := l.AuditHead(t.Context())
	mustNoErr(t, "AuditHead", err)
	if head.LastSeq != 0 {
		t.Errorf("a failed append moved the head to %d", head.LastSeq)
	}
}

func testAuditKeyEmpty(t *testing.T, l storage.AuditLog) {
	keyed, err := l.KeyAuditChain(t.Context(), storage.AuditRecord{ID: "anchor", Time: time.Now(), Kind: "chain"}, testChain{})
	mustNoErr(t, "KeyAuditChain", err)
	head, err := l.AuditHead(t.Context())
	mustNoErr(t, "AuditHead", err)
	if !keyed || head.KeyedFrom != 1 || head.LastSeq != 0 {
		t.Errorf("keyed %v, head %+v; want an empty chain keyed from record 1 with no anchor record", keyed, head)
	}
	headIsSealed(t, "keyed empty chain", head)
}

func testAuditKeyReanchors(t *testing.T, l storage.AuditLog) {
	at := time.Now().Add(-time.Minute)
	appendRecord(t, l, "old1", "c", at)
	old := appendRecord(t, l, "old2", "c", at)
	anchor := storage.AuditRecord{ID: "anchor", Time: at, Kind: "chain", Details: []byte(`{"chain":"keyed"}`)}
	keyed, err := l.KeyAuditChain(t.Context(), anchor, testChain{})
	mustNoErr(t, "KeyAuditChain", err)
	head, err := l.AuditHead(t.Context())
	mustNoErr(t, "AuditHead", err)
	if !keyed || head.KeyedFrom != 3 || head.LastSeq != 3 {
		t.Fatalf("keyed %v, head %+v; want the anchor as record 3, the keyed chain's first", keyed, head)
	}
	headIsSealed(t, "re-anchored chain", head)
	got, err := l.ListAudit(t.Context(), storage.AuditQuery{AfterSeq: 2})
	mustNoErr(t, "ListAudit", err)
	if len(got) != 1 || got[0].ID != "anchor" || got[0].PrevHash != old.Hash || got[0].Hash != head.LastHash {
		t.Fatalf("anchor record %+v, want it linked to record 2 (%s)", got, old.Hash)
	}
	again, err := l.KeyAuditChain(t.Context(), storage.AuditRecord{ID: "anchor2", Time: at, Kind: "chain"}, testChain{})
	mustNoErr(t, "KeyAuditChain again", err)
	if after, _ := l.AuditHead(t.Context()); again || after != head {
		t.Errorf("keying a keyed chain again: %v, head %+v, want it untouched %+v", again, after, head)
	}
}
