package audit_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/audit"
	"github.com/portvakt/portvakt/storage"
)

// headRow is the stored chain head, as a database writer would save and restore it.
type headRow struct {
	lastSeq, anchorSeq, keyedFrom int64
	lastHash, anchorHash, mac     string
}

func (f *fixture) headRow(t *testing.T) headRow { t.Helper(); return f.headRowOf(t, 1) }

func (f *fixture) headRowOf(t *testing.T, chain int64) headRow {
	t.Helper()
	var h headRow
	err := f.store.DB().QueryRowContext(t.Context(), "SELECT last_seq, last_hash, anchor_seq, anchor_hash, keyed_from, mac FROM audit_chain WHERE chain = ?", chain).
		Scan(&h.lastSeq, &h.lastHash, &h.anchorSeq, &h.anchorHash, &h.keyedFrom, &h.mac)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (f *fixture) restoreHead(t *testing.T, h headRow) { t.Helper(); f.restoreHeadOf(t, 1, h) }

func (f *fixture) restoreHeadOf(t *testing.T, chain int64, h headRow) {
	t.Helper()
	f.exec(t, "UPDATE audit_chain SET last_seq = ?, last_hash = ?, anchor_seq = ?, anchor_hash = ?, keyed_from = ?, mac = ? WHERE chain = ?",
		h.lastSeq, h.lastHash, h.anchorSeq, h.anchorHash, h.keyedFrom, h.mac, chain)
}

func (f *fixture) checkpoint(t *testing.T) audit.Checkpoint {
	t.Helper()
	c, rep, err := f.trail.Checkpoint(t.Context())
	if err != nil || !rep.OK {
		t.Fatalf("Checkpoint: %+v, %v", rep, err)
	}
	return c
}

// The head row saved while the chain had 3 records, restored after deleting
// the 2 records written since: a rollback only a checkpoint kept elsewhere shows.
func TestCheckpointDetectsATruncatedTail(t *testing.T) {
	f := newFixture(t)
	for i := range 3 {
		f.login(t, "c1", "success", f.clock.Add(time.Duration(i)*time.Minute))
	}
	saved := f.headRow(t)
	f.login(t, "c1", "success", f.clock)
	f.login(t, "c2", "success", f.clock)
	c := f.checkpoint(t)
	if len(c.Heads) != 2 || c.Heads[1].Chain != 1 || c.Heads[1].Seq != 5 {
		t.Fatalf("checkpoint of %+v, want chain 1 at record 5 (and the empty chain 0)", c.Heads)
	}
	ok, err := f.trail.VerifyCheckpoint(t.Context(), c)
	if err != nil || !ok.OK || ok.Checkpoint != 2 {
		t.Fatalf("untouched chain against its checkpoint: %+v, %v", ok, err)
	}
	f.exec(t, "DELETE FROM audit_records WHERE chain = 1 AND seq > 3")
	f.restoreHead(t, saved)
	if rep := f.verify(t); !rep.OK {
		t.Fatalf("without a checkpoint a restored head row cannot be told from the real one, got %+v", rep)
	}
	rep, err := f.trail.VerifyCheckpoint(t.Context(), c)
	if err != nil || rep.OK || rep.Broken == nil || rep.Broken.Seq != 4 || !strings.Contains(rep.Broken.Reason, "checkpoint") {
		t.Fatalf("truncated chain against the checkpoint: %+v (%v), %v; want record 4 missing", rep, rep.Broken, err)
	}
}

func TestForgedCheckpointIsRefused(t *testing.T) {
	f := newFixture(t)
	f.fill(t)
	c := f.checkpoint(t)
	other := audit.New(audit.Options{Store: f.store, ChainKey: []byte("another key")})
	moved := c
	moved.Heads = append([]audit.CheckpointHead(nil), c.Heads...)
	moved.Heads[len(moved.Heads)-1].Seq = 3
	for name, tc := range map[string]struct {
		trail *audit.Trail
		c     audit.Checkpoint
	}{
		"altered seq":       {f.trail, moved},
		"another chain key": {other, c},
	} {
		t.Run(name, func(t *testing.T) {
			rep, err := tc.trail.VerifyCheckpoint(t.Context(), tc.c)
			if err != nil || rep.OK || rep.Broken == nil || !strings.Contains(rep.Broken.Reason, "checkpoint does not verify") {
				t.Fatalf("%+v (%v), %v; want the checkpoint refused", rep, rep.Broken, err)
			}
		})
	}
	if _, _, err := newFixture(t).trail.Checkpoint(t.Context()); err == nil {
		t.Error("an empty trail was checkpointed")
	}
	if _, err := audit.ParseCheckpoint([]byte(`{"seq":5}`)); err == nil {
		t.Error("a checkpoint without hash and mac was read")
	}
}

// legacyChain writes records as the unkeyed first version did.
type legacyChain struct{}

func (legacyChain) RecordHash(r storage.AuditRecord) (string, error) { return audit.Hash(r) }
func (legacyChain) HeadMAC(storage.AuditHead) string                 { return "" }

// A trail written before the chain was keyed is re-anchored on upgrade: its
// records verify as legacy, the keyed chain starts after them, and an edit to
// a legacy record is still found.
func TestLegacyChainIsReanchoredAndVerifies(t *testing.T) {
	f := newFixture(t)
	f.exec(t, "UPDATE audit_chain SET keyed_from = 0, mac = '' WHERE chain = 0")
	for _, id := range []string{"old-1", "old-2", "old-3"} {
		if _, err := f.store.AppendAudit(t.Context(), 0, []storage.AuditRecord{{ID: id, Time: f.clock, Kind: audit.KindAdmin, Actor: "cli:root", Action: "client.create"}}, legacyChain{}); err != nil {
			t.Fatal(err)
		}
	}
	f.exec(t, "UPDATE audit_chain SET keyed_from = 0, mac = '' WHERE chain = 0")

	keyed, err := f.trail.KeyChain(t.Context())
	if err != nil || !keyed {
		t.Fatalf("KeyChain: %v, %v", keyed, err)
	}
	if again, err := f.trail.KeyChain(t.Context()); err != nil || again {
		t.Fatalf("KeyChain again: %v, %v; want nothing done", again, err)
	}
	f.login(t, "c1", "success", f.clock)
	rep := f.verify(t)
	// Chain 0: the 3 legacy records and the one that starts its keyed part;
	// chain 1 (the new chain this process claimed): an anchor of chain 0's
	// head, then the login.
	if !rep.OK || rep.Records != 6 || rep.Legacy != 3 || rep.KeyedFrom != 4 || rep.Anchors != 1 {
		t.Fatalf("after the upgrade: %+v (%v); want 6 records, 3 legacy, keyed from 4, 1 anchor", rep, rep.Broken)
	}
	recs := f.records(t)
	if recs[3].Kind != audit.KindChain || recs[3].PrevHash != recs[2].Hash {
		t.Errorf("record 4 is %+v, want the anchor linked to record 3", recs[3])
	}

	f.exec(t, "UPDATE audit_records SET actor = 'cli:someone-else' WHERE chain = 0 AND seq = 2")
	if rep := f.mustBreak(t, "a legacy record edited"); rep.Broken.Chain != 0 || rep.Broken.Seq != 2 {
		t.Errorf("broken at %v, want record 2", rep.Broken)
	}
}

// A head reset to "never keyed" is not re-anchored over: the keyed records
// would otherwise pass as legacy ones.
func TestResetHeadIsNotReanchored(t *testing.T) {
	f := newFixture(t)
	// Chain 0 as the keyed one chain of the previous version wrote it.
	for _, id := range []string{"k-1", "k-2"} {
		if _, err := f.store.AppendAudit(t.Context(), 0, []storage.AuditRecord{{ID: id, Time: f.clock, Kind: audit.KindAdmin, Actor: "cli:root", Action: "client.create"}}, audit.ChainKeyOf([]byte("chain-key"))); err != nil {
			t.Fatal(err)
		}
	}
	if rep := f.verify(t); !rep.OK || rep.Records != 2 {
		t.Fatalf("chain 0 keyed: %+v (%v)", rep, rep.Broken)
	}
	f.exec(t, "UPDATE audit_chain SET keyed_from = 0, mac = '' WHERE chain = 0")
	if _, err := f.trail.KeyChain(t.Context()); !errors.Is(err, audit.ErrChainReset) {
		t.Fatalf("KeyChain on a reset head: %v, want ErrChainReset", err)
	}
	f.mustBreak(t, "head reset to unkeyed")
}
