package conformance

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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
		{"TwoChainsInterleaved", testAuditTwoChains},
		{"Query", testAuditQuery},
		{"QueryPagesAcrossChains", testAuditQueryPages},
		{"PurgeKeepsAnchor", testAuditPurge},
		{"PurgePerChain", testAuditPurgePerChain},
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
	sum := sha256.Sum256(fmt.Appendf(nil, "%d|%d|%s|%s|%s|%d", r.Chain, r.Seq, r.ID, r.ClientID, r.PrevHash, r.Time.UnixMilli()))
	return hex.EncodeToString(sum[:]), nil
}

func (testChain) HeadMAC(h storage.AuditHead) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "head|%d|%d|%s|%d|%s|%d", h.Chain, h.LastSeq, h.LastHash, h.AnchorSeq, h.AnchorHash, h.KeyedFrom))
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
	return appendTo(t, l, 1, id, client, at)
}

func appendTo(t *testing.T, l storage.AuditLog, chain int64, id, client string, at time.Time) storage.AuditRecord {
	t.Helper()
	rs, err := l.AppendAudit(t.Context(), chain, []storage.AuditRecord{{
		ID: id, Time: at, Kind: "login", ClientID: client, Subject: "sub-" + id, PersonKey: "pk-" + client, Actor: "agent:" + client,
		NationalIDSealed: []byte{1, 2, 3}, NationalIDMasked: "**********98", Outcome: "success",
		Details: []byte(`{"a":1}`),
	}}, testChain{})
	mustNoErr(t, "AppendAudit "+id, err)
	return rs[0]
}

func head(t *testing.T, l storage.AuditLog, chain int64) storage.AuditHead {
	t.Helper()
	h, err := l.AuditHead(t.Context(), chain)
	mustNoErr(t, fmt.Sprint("AuditHead ", chain), err)
	return h
}

func testAuditAppendChains(t *testing.T, l storage.AuditLog) {
	at := time.Now().Add(-time.Minute)
	a := appendRecord(t, l, "a", "c1", at)
	b := appendRecord(t, l, "b", "c1", at)
	if a.Chain != 1 || a.Seq != 1 || b.Seq != 2 || a.PrevHash != "" || b.PrevHash != a.Hash || a.Hash == "" {
		t.Fatalf("chain: a=%d/%d prev %q hash %q, b=%d prev %q", a.Chain, a.Seq, a.PrevHash, a.Hash, b.Seq, b.PrevHash)
	}
	h := head(t, l, 1)
	if h.Chain != 1 || h.LastSeq != 2 || h.LastHash != b.Hash || h.AnchorSeq != 0 || h.AnchorHash != "" || h.KeyedFrom != 1 {
		t.Errorf("head = %+v, want chain 1 at record 2, keyed from its first record", h)
	}
	headIsSealed(t, "after appends", h)
	got, err := l.ListAudit(t.Context(), storage.AuditQuery{})
	mustNoErr(t, "ListAudit", err)
	if len(got) != 2 {
		t.Fatalf("ListAudit returned %d records, want 2", len(got))
	}
	r := got[0]
	sameTime(t, "Time", r.Time, at)
	sameBytes(t, "NationalIDSealed", r.NationalIDSealed, []byte{1, 2, 3})
	sameJSON(t, "Details", r.Details, []byte(`{"a":1}`))
	if r.Chain != 1 || r.ID != "a" || r.Kind != "login" || r.Subject != "sub-a" || r.NationalIDMasked != "**********98" || r.Hash != a.Hash {
		t.Errorf("record read back = %+v", r)
	}
	if h, _ := (testChain{}).RecordHash(r); h != r.Hash {
		t.Errorf("a record read back hashes to %s, stored %s: a field changed on the way", h, r.Hash)
	}
}

// Two chains appended in turn keep their own sequences, links and heads.
func testAuditTwoChains(t *testing.T, l storage.AuditLog) {
	at := time.Now().Add(-time.Minute)
	var last [3]storage.AuditRecord
	for i := range 6 {
		chain := int64(1 + i%2)
		r := appendTo(t, l, chain, fmt.Sprint("r", i), "c", at)
		prev := last[chain]
		if r.Chain != chain || r.Seq != prev.Seq+1 || r.PrevHash != prev.Hash {
			t.Fatalf("record %d on chain %d: chain %d seq %d prev %q; want seq %d linked to %q", i, chain, r.Chain, r.Seq, r.PrevHash, prev.Seq+1, prev.Hash)
		}
		last[chain] = r
	}
	heads, err := l.AuditHeads(t.Context())
	mustNoErr(t, "AuditHeads", err)
	var chains []string
	for _, h := range heads {
		if h.LastSeq == 0 {
			continue // chain 0 of a migrated store, empty
		}
		chains = append(chains, fmt.Sprint(h.Chain, "@", h.LastSeq))
		if h.LastHash != last[h.Chain].Hash {
			t.Errorf("head of chain %d at %s, want %s", h.Chain, h.LastHash, last[h.Chain].Hash)
		}
		headIsSealed(t, fmt.Sprint("chain ", h.Chain), h)
	}
	sameStrings(t, "heads", chains, []string{"1@3", "2@3"})
	for chain := int64(1); chain <= 2; chain++ {
		got, err := l.ListAuditChain(t.Context(), chain, 1, 0)
		mustNoErr(t, "ListAuditChain", err)
		if len(got) != 2 || got[0].Seq != 2 || got[1].Seq != 3 || got[0].Chain != chain {
			t.Errorf("chain %d after record 1: %+v", chain, got)
		}
	}
	if _, err := l.AuditHead(t.Context(), 9); err == nil {
		t.Error("a chain never written has a head")
	}
}

func testAuditQuery(t *testing.T, l storage.AuditLog) {
	base := time.Now().Add(-time.Hour)
	for i, c := range []string{"c1", "c2", "c1", "c2", "c1"} {
		appendTo(t, l, int64(1+i%2), fmt.Sprint("r", i), c, base.Add(time.Duration(i)*time.Minute))
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
		{"person in a period", storage.AuditQuery{PersonKey: "pk-c1", From: base.Add(time.Minute)}, []string{"r2", "r4"}},
		{"actor in a period", storage.AuditQuery{Actor: "agent:c2", To: base.Add(3 * time.Minute)}, []string{"r1"}},
		{"actor is matched exactly", storage.AuditQuery{Actor: "agent:c"}, nil},
		{"page", storage.AuditQuery{After: storage.AuditCursor{Time: base.Add(time.Minute), Chain: 2, Seq: 1}, Limit: 2}, []string{"r2", "r3"}},
	} {
		t.Run(tc.name, func(t *testing.T) { sameStrings(t, "ids", auditIDs(t, l, tc.q), tc.want) })
	}
}

func auditIDs(t *testing.T, l storage.AuditLog, q storage.AuditQuery) []string {
	t.Helper()
	got, err := l.ListAudit(t.Context(), q)
	mustNoErr(t, "ListAudit", err)
	var out []string
	for _, r := range got {
		out = append(out, r.ID)
	}
	return out
}

// Records of several chains at the same millisecond list by chain, then
// sequence, and a cursor taken from the last record of a page resumes exactly
// after it.
func testAuditQueryPages(t *testing.T, l storage.AuditLog) {
	at := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	for i, chain := range []int64{3, 1, 3, 2, 1, 3} {
		appendTo(t, l, chain, fmt.Sprint("r", i), "c", at.Add(time.Duration(i/3)*time.Second))
	}
	// Second 0: chain 1 r1, chain 3 r0 r2; second 1: chain 1 r4, chain 2 r3, chain 3 r5.
	want := []string{"r1", "r0", "r2", "r4", "r3", "r5"}
	var got []string
	q := storage.AuditQuery{Limit: 2}
	for range 10 {
		page, err := l.ListAudit(t.Context(), q)
		mustNoErr(t, "ListAudit", err)
		for _, r := range page {
			got = append(got, r.ID)
		}
		if len(page) < q.Limit {
			break
		}
		last := page[len(page)-1]
		q.After = storage.AuditCursor{Time: last.Time, Chain: last.Chain, Seq: last.Seq}
	}
	sameStrings(t, "pages", got, want)
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
	h := head(t, l, 1)
	if h.AnchorSeq != 2 || h.AnchorHash != recs[1].Hash || h.LastSeq != 4 {
		t.Errorf("head after purge = %+v, want anchor at 2 (%s)", h, recs[1].Hash)
	}
	headIsSealed(t, "after purge", h)
	left, err := l.ListAudit(t.Context(), storage.AuditQuery{})
	mustNoErr(t, "ListAudit", err)
	if len(left) != 2 || left[0].PrevHash != h.AnchorHash {
		t.Errorf("after purge: %d records, first links to %q, anchor %q", len(left), left[0].PrevHash, h.AnchorHash)
	}
	if n, err := l.PurgeAudit(t.Context(), base, testChain{}); err != nil || n != 0 {
		t.Errorf("second purge of nothing: %d, %v", n, err)
	}
	next := appendRecord(t, l, "after", "c", time.Now())
	if next.Seq != 5 || next.PrevHash != recs[3].Hash {
		t.Errorf("append after purge: seq %d prev %q", next.Seq, next.PrevHash)
	}
}

// Each chain is cut at its own first record to keep, and its own anchor moves.
func testAuditPurgePerChain(t *testing.T, l storage.AuditLog) {
	base := time.Now().Add(-10 * time.Hour)
	var one, two []storage.AuditRecord
	for i := range 3 {
		one = append(one, appendTo(t, l, 1, fmt.Sprint("a", i), "c", base.Add(time.Duration(i)*time.Hour)))
	}
	for i := range 3 {
		two = append(two, appendTo(t, l, 2, fmt.Sprint("b", i), "c", base.Add(time.Duration(2*i)*time.Hour)))
	}
	// Before base+3h: chain 1 loses a0 a1 a2, chain 2 loses b0 b1 (at 0h, 2h).
	n, err := l.PurgeAudit(t.Context(), base.Add(3*time.Hour), testChain{})
	mustNoErr(t, "PurgeAudit", err)
	if n != 5 {
		t.Errorf("PurgeAudit deleted %d, want 5", n)
	}
	h1, h2 := head(t, l, 1), head(t, l, 2)
	if h1.AnchorSeq != 3 || h1.AnchorHash != one[2].Hash || h1.LastSeq != 3 {
		t.Errorf("chain 1 after purge: %+v, want everything purged, anchor at 3", h1)
	}
	if h2.AnchorSeq != 2 || h2.AnchorHash != two[1].Hash || h2.LastSeq != 3 {
		t.Errorf("chain 2 after purge: %+v, want anchor at 2", h2)
	}
	headIsSealed(t, "chain 1 after purge", h1)
	headIsSealed(t, "chain 2 after purge", h2)
	sameStrings(t, "left", auditIDs(t, l, storage.AuditQuery{}), []string{"b2"})
	if next := appendTo(t, l, 1, "a3", "c", time.Now()); next.Seq != 4 || next.PrevHash != one[2].Hash {
		t.Errorf("append to an emptied chain: seq %d prev %q", next.Seq, next.PrevHash)
	}
}

// Appends to one chain from several goroutines at once (each its own
// transaction) form one chain: no record lost, none twice at one place.
func testAuditConcurrent(t *testing.T, l storage.AuditLog) {
	const each = 4
	raceWriters(t, "concurrent AppendAudit", func(w int) error {
		for i := range each {
			// Batches of two, so single and batched appends interleave.
			if _, err := l.AppendAudit(t.Context(), 1, []storage.AuditRecord{
				{ID: fmt.Sprintf("w%d-%d-a", w, i), Time: time.Now(), Kind: "login"},
				{ID: fmt.Sprintf("w%d-%d-b", w, i), Time: time.Now(), Kind: "login"},
			}, testChain{}); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := l.ListAuditChain(t.Context(), 1, 0, 0)
	mustNoErr(t, "ListAuditChain", err)
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
	if h := head(t, l, 1); h.LastSeq != int64(len(got)) || h.LastHash != prev {
		t.Errorf("head %+v, want the last record %d", h, len(got))
	}
}

func testAuditHashError(t *testing.T, l storage.AuditLog) {
	_, err := l.AppendAudit(t.Context(), 1, []storage.AuditRecord{{ID: "x", Time: time.Now(), Kind: "login"}},
		testChain{fail: errUpdater})
	mustErrIs(t, "AppendAudit with a failing hash", err, errUpdater)
	if _, err := l.AuditHead(t.Context(), 1); err == nil {
		t.Error("a failed append created the chain's head")
	}
	if got := auditIDs(t, l, storage.AuditQuery{}); len(got) != 0 {
		t.Errorf("a failed append stored %v", got)
	}
}

func testAuditKeyEmpty(t *testing.T, l storage.AuditLog) {
	keyed, err := l.KeyAuditChain(t.Context(), storage.AuditRecord{ID: "anchor", Time: time.Now(), Kind: "chain"}, testChain{})
	mustNoErr(t, "KeyAuditChain", err)
	h := head(t, l, 0)
	if !keyed || h.KeyedFrom != 1 || h.LastSeq != 0 {
		t.Errorf("keyed %v, head %+v; want an empty chain keyed from record 1 with no anchor record", keyed, h)
	}
	headIsSealed(t, "keyed empty chain", h)
}

func testAuditKeyReanchors(t *testing.T, l storage.AuditLog) {
	at := time.Now().Add(-time.Minute)
	appendTo(t, l, 0, "old1", "c", at)
	old := appendTo(t, l, 0, "old2", "c", at)
	anchor := storage.AuditRecord{ID: "anchor", Time: at, Kind: "chain", Details: []byte(`{"chain":"keyed"}`)}
	keyed, err := l.KeyAuditChain(t.Context(), anchor, testChain{})
	mustNoErr(t, "KeyAuditChain", err)
	h := head(t, l, 0)
	if !keyed || h.KeyedFrom != 3 || h.LastSeq != 3 {
		t.Fatalf("keyed %v, head %+v; want the anchor as record 3, the keyed chain's first", keyed, h)
	}
	headIsSealed(t, "re-anchored chain", h)
	got, err := l.ListAuditChain(t.Context(), 0, 2, 0)
	mustNoErr(t, "ListAuditChain", err)
	if len(got) != 1 || got[0].ID != "anchor" || got[0].PrevHash != old.Hash || got[0].Hash != h.LastHash {
		t.Fatalf("anchor record %+v, want it linked to record 2 (%s)", got, old.Hash)
	}
	again, err := l.KeyAuditChain(t.Context(), storage.AuditRecord{ID: "anchor2", Time: at, Kind: "chain"}, testChain{})
	mustNoErr(t, "KeyAuditChain again", err)
	if after := head(t, l, 0); again || after != h {
		t.Errorf("keying a keyed chain again: %v, head %+v, want it untouched %+v", again, after, h)
	}
}
