package audit_test

import (
	"testing"

	"github.com/portvakt/portvakt/audit"
	"github.com/portvakt/portvakt/storage"
)

// records reads the whole chain as stored.
func (f *fixture) records(t *testing.T) []storage.AuditRecord {
	t.Helper()
	recs, err := f.store.ListAudit(t.Context(), storage.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// rehashFrom recomputes, with the published unkeyed hash, every record from
// index i on and the chain head: what a database writer can do without the
// master key.
func (f *fixture) rehashFrom(t *testing.T, recs []storage.AuditRecord, i int) {
	t.Helper()
	for ; i < len(recs); i++ {
		if i > 0 {
			recs[i].PrevHash = recs[i-1].Hash
		}
		sum, err := audit.Hash(recs[i])
		if err != nil {
			t.Fatal(err)
		}
		recs[i].Hash = sum
		f.exec(t, "UPDATE audit_records SET actor = ?, prev_hash = ?, hash = ? WHERE chain = 1 AND seq = ?", recs[i].Actor, recs[i].PrevHash, sum, recs[i].Seq)
	}
	last := recs[len(recs)-1]
	f.exec(t, "UPDATE audit_chain SET last_seq = ?, last_hash = ? WHERE chain = 1", last.Seq, last.Hash)
}

func (f *fixture) mustBreak(t *testing.T, what string) audit.Report {
	t.Helper()
	rep := f.verify(t)
	if rep.OK || rep.Broken == nil {
		t.Fatalf("%s: verify says %+v; want the chain broken", what, rep)
	}
	return rep
}

// A database writer rewrites a record and recomputes every hash after it and the head.
func TestVerifyDetectsARewrittenAndRehashedChain(t *testing.T) {
	f := newFixture(t)
	f.fill(t)
	recs := f.records(t)
	recs[2].Actor = "cli:someone-else"
	f.rehashFrom(t, recs, 2)
	f.mustBreak(t, "record 3 rewritten and the chain rehashed")
}

// A database writer deletes the newest records and points the head at the last one kept.
func TestVerifyDetectsATruncatedTailWithAFixedHead(t *testing.T) {
	f := newFixture(t)
	f.fill(t)
	recs := f.records(t)
	f.exec(t, "DELETE FROM audit_records WHERE chain = 1 AND seq > 3")
	f.exec(t, "UPDATE audit_chain SET last_seq = 3, last_hash = ? WHERE chain = 1", recs[2].Hash)
	f.mustBreak(t, "records 4 and 5 deleted and the head moved back")
}

// A database writer deletes the oldest kept records and moves the purge anchor past them.
func TestVerifyDetectsAMovedPurgeAnchor(t *testing.T) {
	f := newFixture(t)
	f.fill(t)
	recs := f.records(t)
	f.exec(t, "DELETE FROM audit_records WHERE chain = 1 AND seq <= 2")
	f.exec(t, "UPDATE audit_chain SET anchor_seq = 2, anchor_hash = ? WHERE chain = 1", recs[1].Hash)
	f.mustBreak(t, "records 1 and 2 deleted and the anchor moved after them")
}
