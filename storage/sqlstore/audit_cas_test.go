package sqlstore

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/internal/testenv"
	"github.com/portvakt/portvakt/storage"
)

// sumChain is a plain stand-in for the keyed chain.
type sumChain struct{}

func (sumChain) RecordHash(r storage.AuditRecord) (string, error) {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d|%d|%s|%s", r.Chain, r.Seq, r.ID, r.PrevHash))
	return hex.EncodeToString(sum[:]), nil
}

func (sumChain) HeadMAC(h storage.AuditHead) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d|%d|%s|%d", h.Chain, h.LastSeq, h.LastHash, h.AnchorSeq))
	return hex.EncodeToString(sum[:])
}

func openAuditStore(t *testing.T, cfg Config) *Store {
	t.Helper()
	s, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	testenv.CloseAtEnd(t, s)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func auditDialects(t *testing.T, run func(t *testing.T, cfg Config)) {
	t.Run("sqlite", func(t *testing.T) {
		run(t, Config{Driver: DriverSQLite, DSN: filepath.Join(t.TempDir(), "a.db")})
	})
	t.Run("mysql", func(t *testing.T) {
		run(t, Config{Driver: DriverMySQL, DSN: testenv.MySQLDatabase(t)})
	})
}

// A writer that read the head before another writer moved it cannot move it
// (not back, not sideways) nor store a record at a place already taken: the
// head is a compare-and-swap, not a lock.
func TestAuditHeadSwapRefusesAStaleHead(t *testing.T) {
	auditDialects(t, func(t *testing.T, cfg Config) {
		s := openAuditStore(t, cfg)
		ctx := t.Context()
		if _, err := s.AppendAudit(ctx, 1, []storage.AuditRecord{{ID: "r1", Time: time.Now(), Kind: "login"}}, sumChain{}); err != nil {
			t.Fatal(err)
		}
		stale, err := s.AuditHead(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AppendAudit(ctx, 1, []storage.AuditRecord{{ID: "r2", Time: time.Now(), Kind: "login"}}, sumChain{}); err != nil {
			t.Fatal(err)
		}
		current, _ := s.AuditHead(ctx, 1)
		for name, write := range map[string]func(tx *txn) error{
			"head swapped from a stale state": func(tx *txn) error {
				next := stale
				next.LastSeq, next.LastHash = 2, "forked"
				return s.swapHead(ctx, tx, stale, true, next, sumChain{})
			},
			"head row created twice": func(tx *txn) error {
				return s.swapHead(ctx, tx, storage.AuditHead{Chain: 1}, false, storage.AuditHead{Chain: 1, LastSeq: 1, KeyedFrom: 1}, sumChain{})
			},
			"record stored after a stale head": func(tx *txn) error {
				_, _, err := s.appendAfter(ctx, tx, stale, []storage.AuditRecord{{ID: "r2-fork", Time: time.Now(), Kind: "login"}}, sumChain{})
				return err
			},
		} {
			t.Run(name, func(t *testing.T) {
				if err := s.withTx(ctx, write); !errors.Is(err, storage.ErrStaleHead) {
					t.Fatalf("got %v, want ErrStaleHead", err)
				}
				if after, _ := s.AuditHead(ctx, 1); after != current {
					t.Errorf("head moved to %+v, want %+v", after, current)
				}
			})
		}
	})
}

// Two stores on one database (two processes) appending to one chain at once:
// the losers of each swap read again and retry, and the chain has every record
// once, in an unbroken sequence.
func TestAuditAppendsFromTwoStoresFormOneChain(t *testing.T) {
	auditDialects(t, func(t *testing.T, cfg Config) {
		stores := []*Store{openAuditStore(t, cfg), openAuditStore(t, cfg)}
		const perWriter, writersPerStore = 10, 3
		var wg sync.WaitGroup
		errs := make(chan error, len(stores)*writersPerStore)
		for si, s := range stores {
			for w := range writersPerStore {
				wg.Go(func() {
					for i := range perWriter {
						if _, err := s.AppendAudit(t.Context(), 5, []storage.AuditRecord{{ID: fmt.Sprintf("s%d-w%d-%d", si, w, i), Time: time.Now(), Kind: "login"}}, sumChain{}); err != nil {
							errs <- err
							return
						}
					}
				})
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		recs, err := stores[0].ListAuditChain(t.Context(), 5, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := len(stores) * writersPerStore * perWriter
		if len(recs) != want {
			t.Fatalf("%d records, want %d", len(recs), want)
		}
		prev := ""
		for i, r := range recs {
			if r.Seq != int64(i+1) || r.PrevHash != prev {
				t.Fatalf("record %d: seq %d prev %q, want seq %d prev %q", i, r.Seq, r.PrevHash, i+1, prev)
			}
			prev = r.Hash
		}
	})
}

// A trail written before there were several chains becomes chain 0 as it is:
// every record and the head keep their values, so the chain still verifies.
func TestMigrationMakesTheOneChainChainZero(t *testing.T) {
	auditDialects(t, func(t *testing.T, cfg Config) {
		s, err := Open(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		testenv.CloseAtEnd(t, s)
		all, err := loadMigrations(s.dialect.name)
		if err != nil {
			t.Fatal(err)
		}
		var before []migration
		for _, m := range all {
			if m.version < 10 {
				before = append(before, m)
			}
		}
		if s.dialect.name == DriverMySQL {
			err = s.migrateMySQL(t.Context(), before)
		} else {
			err = s.migrateSQLite(t.Context(), before)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{
			"INSERT INTO audit_records (seq, id, at, kind, client_id, person_key, prev_hash, hash) VALUES (1, 'a', 1000, 'login', 'c1', 'pk', '', 'h1')",
			"INSERT INTO audit_records (seq, id, at, kind, client_id, person_key, prev_hash, hash) VALUES (2, 'b', 2000, 'admin', 'c2', '', 'h1', 'h2')",
			"UPDATE audit_chain SET last_seq = 2, last_hash = 'h2', anchor_seq = 0, anchor_hash = '', keyed_from = 1, mac = 'm' WHERE id = 1",
		} {
			if _, err := s.DB().ExecContext(t.Context(), stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		heads, err := s.AuditHeads(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		want := storage.AuditHead{Chain: 0, LastSeq: 2, LastHash: "h2", KeyedFrom: 1, MAC: "m"}
		if len(heads) != 1 || heads[0] != want {
			t.Fatalf("heads after the migration: %+v, want only %+v", heads, want)
		}
		recs, err := s.ListAuditChain(t.Context(), 0, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 || recs[0].ID != "a" || recs[1].PrevHash != "h1" || recs[1].Hash != "h2" || recs[1].Chain != 0 {
			t.Fatalf("records after the migration: %+v", recs)
		}
		byPerson, err := s.ListAudit(t.Context(), storage.AuditQuery{PersonKey: "pk", From: time.UnixMilli(500)})
		if err != nil || len(byPerson) != 1 || byPerson[0].ID != "a" {
			t.Errorf("a person's records after the migration: %+v, %v", byPerson, err)
		}
	})
}
