package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portvakt/portvakt/storage"
)

var _ storage.AuditLog = (*Store)(nil)

const auditColumns = "chain, seq, id, at, kind, client_id, actor, action, connector, loa, country, " +
	"national_id_sealed, national_id_masked, person_key, subject, outcome, error, client_ip, details, prev_hash, hash"

// defaultAuditLimit bounds one page of ListAudit.
const defaultAuditLimit = 1000

// auditPurgeBatch bounds the records one purge transaction deletes: a small
// write set replicates quickly and holds the chain's head briefly.
const auditPurgeBatch = 1000

// maxHeadRetries bounds how often a write to a chain reads the head again after
// another writer moved it. A chain has one appending process when there are
// enough chain slots, so this is reached only under a pile-up; the jittered
// backoff between tries spreads the contenders.
const maxHeadRetries = 50

const auditHeadColumns = "chain, last_seq, last_hash, anchor_seq, anchor_hash, keyed_from, mac"

func scanAuditHead(row scanner) (storage.AuditHead, error) {
	var h storage.AuditHead
	err := row.Scan(&h.Chain, &h.LastSeq, &h.LastHash, &h.AnchorSeq, &h.AnchorHash, &h.KeyedFrom, &h.MAC)
	return h, err
}

// readHead reads a chain's head in tx with a plain read: nothing is locked (a
// SELECT ... FOR UPDATE guards nothing across Galera nodes); the write that
// follows is a compare-and-swap against what was read. exists is false for a
// chain without a head row yet.
func readHead(ctx context.Context, tx *txn, chainID int64) (head storage.AuditHead, exists bool, err error) {
	head, err = scanAuditHead(tx.QueryRowContext(ctx, "SELECT "+auditHeadColumns+" FROM audit_chain WHERE chain = ?", chainID))
	if errors.Is(err, sql.ErrNoRows) {
		return storage.AuditHead{Chain: chainID}, false, nil
	}
	return head, err == nil, err
}

// swapHead stores next as the chain's head if the head is still old: an UPDATE
// whose predicate holds old's sequence, anchor and keying, so that of two
// writers that read the same head only one moves it (the other gets
// ErrStaleHead and reads again). A chain's first head row is an INSERT, which
// the primary key lets only one writer make. Every write here changes one of
// the compared fields, so one matched row is one changed row on every engine.
func (s *Store) swapHead(ctx context.Context, tx *txn, old storage.AuditHead, exists bool, next storage.AuditHead, chain storage.AuditChain) error {
	next.MAC = chain.HeadMAC(next)
	if !exists {
		_, err := tx.ExecContext(ctx, "INSERT INTO audit_chain ("+auditHeadColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			next.Chain, next.LastSeq, next.LastHash, next.AnchorSeq, next.AnchorHash, next.KeyedFrom, next.MAC)
		return s.staleOn(err)
	}
	res, err := tx.ExecContext(ctx, "UPDATE audit_chain SET last_seq = ?, last_hash = ?, anchor_seq = ?, anchor_hash = ?, keyed_from = ?, mac = ? "+
		"WHERE chain = ? AND last_seq = ? AND anchor_seq = ? AND keyed_from = ?",
		next.LastSeq, next.LastHash, next.AnchorSeq, next.AnchorHash, next.KeyedFrom, next.MAC,
		old.Chain, old.LastSeq, old.AnchorSeq, old.KeyedFrom)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("chain %d at record %d: %w", old.Chain, old.LastSeq, storage.ErrStaleHead)
	}
	return nil
}

// staleOn turns a duplicate key (a record or head row another writer stored
// first at the same place) into ErrStaleHead.
func (s *Store) staleOn(err error) error {
	if err != nil && s.dialect.isDuplicate(err) {
		return fmt.Errorf("%w: %w", storage.ErrStaleHead, err)
	}
	return err
}

// appendAfter adds records after head and returns them and the new head.
func (s *Store) appendAfter(ctx context.Context, tx *txn, head storage.AuditHead, rs []storage.AuditRecord, chain storage.AuditChain) ([]storage.AuditRecord, storage.AuditHead, error) {
	stored := make([]storage.AuditRecord, 0, len(rs))
	for _, r := range rs {
		rec := r
		rec.Time = normalTime(rec.Time)
		rec.Chain, rec.Seq, rec.PrevHash = head.Chain, head.LastSeq+1, head.LastHash
		var err error
		if rec.Hash, err = chain.RecordHash(rec); err != nil {
			return nil, head, err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO audit_records ("+auditColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			rec.Chain, rec.Seq, rec.ID, millis(rec.Time), rec.Kind, rec.ClientID, rec.Actor, rec.Action, rec.Connector, rec.LoA, rec.Country,
			rec.NationalIDSealed, rec.NationalIDMasked, rec.PersonKey, rec.Subject, rec.Outcome, rec.Error, rec.ClientIP,
			text(rec.Details), rec.PrevHash, rec.Hash); err != nil {
			// Another writer stored a record at this place first. (A record id
			// is unique too, but ids are random: a clash is retried like a
			// moved head, and fails once the retries run out.)
			return nil, head, s.staleOn(err)
		}
		head.LastSeq, head.LastHash = rec.Seq, rec.Hash
		stored = append(stored, rec)
	}
	return stored, head, nil
}

// onChain runs write, one transaction at a time, until it is not refused for
// a stale head: each run reads the head afresh.
func (s *Store) onChain(ctx context.Context, write func(tx *txn) error) error {
	for attempt := 1; ; attempt++ {
		err := s.withTx(ctx, write)
		if err == nil || !errors.Is(err, storage.ErrStaleHead) {
			return err
		}
		// Counted with the transactions' retries: on a chain of its own a
		// process should see next to none.
		if attempt >= maxHeadRetries {
			s.txStats.gaveUp.Add(1)
			return err
		}
		s.txStats.retries.Add(1)
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// AppendAudit adds records at the end of one chain, in one transaction: the
// records and a compare-and-swap of the chain's head. Processes append to
// chains of their own, so the head is normally theirs alone and the swap
// succeeds the first time.
func (s *Store) AppendAudit(ctx context.Context, chainID int64, rs []storage.AuditRecord, chain storage.AuditChain) ([]storage.AuditRecord, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	var stored []storage.AuditRecord
	appendAll := func() error {
		return s.onChain(ctx, func(tx *txn) error {
			old, exists, err := readHead(ctx, tx, chainID)
			if err != nil {
				return fmt.Errorf("read chain head: %w", err)
			}
			next := old
			if !exists {
				// A new chain is keyed from its first record.
				next.KeyedFrom = 1
			}
			if stored, next, err = s.appendAfter(ctx, tx, next, rs, chain); err != nil {
				return err
			}
			return s.swapHead(ctx, tx, old, exists, next, chain)
		})
	}
	// A batch is one transaction, so its first record tells whether a commit
	// lost with its connection happened; if it did, the records are read back
	// as stored.
	err := s.writeOnce(ctx, appendAll, func(ctx context.Context) (bool, error) {
		found, err := s.listAuditRecords(ctx, "re-read audit records",
			"SELECT "+auditColumns+" FROM audit_records WHERE chain = ? AND id = ?", chainID, rs[0].ID)
		if err != nil || len(found) == 0 {
			return false, err
		}
		stored, err = s.ListAuditChain(ctx, chainID, found[0].Seq-1, len(rs))
		return err == nil && len(stored) == len(rs), err
	})
	if err != nil {
		return nil, s.fail("append audit records", err)
	}
	return stored, nil
}

// KeyAuditChain starts the keyed chain 0, once.
func (s *Store) KeyAuditChain(ctx context.Context, anchor storage.AuditRecord, chain storage.AuditChain) (bool, error) {
	var keyed bool
	err := s.onChain(ctx, func(tx *txn) error {
		keyed = false
		old, exists, err := readHead(ctx, tx, 0)
		if err != nil {
			return fmt.Errorf("read chain head: %w", err)
		}
		if old.KeyedFrom > 0 {
			return nil
		}
		next := old
		next.KeyedFrom = 1
		if old.LastSeq > 0 {
			next.KeyedFrom = old.LastSeq + 1
			if _, next, err = s.appendAfter(ctx, tx, next, []storage.AuditRecord{anchor}, chain); err != nil {
				return err
			}
		}
		keyed = true
		return s.swapHead(ctx, tx, old, exists, next, chain)
	})
	return keyed, s.fail("key audit chain", err)
}

func scanAuditRecord(row scanner) (storage.AuditRecord, error) {
	var (
		r       storage.AuditRecord
		at      int64
		details sql.NullString
	)
	err := row.Scan(&r.Chain, &r.Seq, &r.ID, &at, &r.Kind, &r.ClientID, &r.Actor, &r.Action, &r.Connector, &r.LoA, &r.Country,
		&r.NationalIDSealed, &r.NationalIDMasked, &r.PersonKey, &r.Subject, &r.Outcome, &r.Error, &r.ClientIP,
		&details, &r.PrevHash, &r.Hash)
	if err != nil {
		return r, err
	}
	r.Time = fromMillis(at)
	if details.Valid {
		r.Details = []byte(details.String)
	}
	return r, nil
}

func auditLimit(limit int) int {
	if limit <= 0 || limit > defaultAuditLimit {
		return defaultAuditLimit
	}
	return limit
}

// ListAudit returns the records q selects from every chain, by time, then
// chain, then sequence: one order for a listing that pages with a cursor,
// whichever process wrote each record.
func (s *Store) ListAudit(ctx context.Context, q storage.AuditQuery) ([]storage.AuditRecord, error) {
	var where []string
	var args []any
	add := func(cond string, vs ...any) {
		where = append(where, cond)
		args = append(args, vs...)
	}
	if !q.After.IsZero() {
		at := millis(q.After.Time)
		add("(at > ? OR (at = ? AND (chain > ? OR (chain = ? AND seq > ?))))", at, at, q.After.Chain, q.After.Chain, q.After.Seq)
	}
	if q.ClientID != "" {
		add("client_id = ?", q.ClientID)
	}
	if q.PersonKey != "" {
		add("person_key = ?", q.PersonKey)
	}
	if q.Subject != "" {
		add("subject = ?", q.Subject)
	}
	if q.Actor != "" {
		add("actor = ?", q.Actor)
	}
	if !q.From.IsZero() {
		add("at >= ?", millis(q.From))
	}
	if !q.To.IsZero() {
		add("at < ?", millis(q.To))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	// Built from fixed fragments only; the values travel as arguments.
	query := fmt.Sprintf("SELECT %s FROM audit_records%s ORDER BY at, chain, seq LIMIT %d", auditColumns, cond, auditLimit(q.Limit)) //nolint:gosec // G201: fixed fragments, see above
	return s.listAuditRecords(ctx, "list audit records", query, args...)
}

// ListAuditChain returns one chain's records after afterSeq, in chain order.
func (s *Store) ListAuditChain(ctx context.Context, chainID, afterSeq int64, limit int) ([]storage.AuditRecord, error) {
	query := fmt.Sprintf("SELECT %s FROM audit_records WHERE chain = ? AND seq > ? ORDER BY seq LIMIT %d", auditColumns, auditLimit(limit)) //nolint:gosec // G201: a number
	return s.listAuditRecords(ctx, "list audit chain", query, chainID, afterSeq)
}

func (s *Store) listAuditRecords(ctx context.Context, op, query string, args ...any) ([]storage.AuditRecord, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.fail(op, err)
	}
	defer rows.Close()
	var out []storage.AuditRecord
	for rows.Next() {
		r, err := scanAuditRecord(rows)
		if err != nil {
			return nil, s.fail(op, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(op, err)
	}
	return out, nil
}

// AuditHead reads one chain's head.
func (s *Store) AuditHead(ctx context.Context, chainID int64) (storage.AuditHead, error) {
	h, err := scanAuditHead(s.queryRow(ctx, "SELECT "+auditHeadColumns+" FROM audit_chain WHERE chain = ?", chainID))
	return h, s.fail("read audit chain head", err)
}

// AuditHeads reads every chain's head.
func (s *Store) AuditHeads(ctx context.Context) ([]storage.AuditHead, error) {
	rows, err := s.query(ctx, "SELECT "+auditHeadColumns+" FROM audit_chain ORDER BY chain")
	if err != nil {
		return nil, s.fail("read audit chain heads", err)
	}
	defer rows.Close()
	var out []storage.AuditHead
	for rows.Next() {
		h, err := scanAuditHead(rows)
		if err != nil {
			return nil, s.fail("read audit chain heads", err)
		}
		out = append(out, h)
	}
	return out, s.fail("read audit chain heads", rows.Err())
}

// AuditRecordChains lists the chains that hold records: the primary key's
// leading column, so the engine reads its index, not the rows.
func (s *Store) AuditRecordChains(ctx context.Context) ([]int64, error) {
	rows, err := s.query(ctx, "SELECT DISTINCT chain FROM audit_records ORDER BY chain")
	if err != nil {
		return nil, s.fail("list audit chains", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			return nil, s.fail("list audit chains", err)
		}
		out = append(out, c)
	}
	return out, s.fail("list audit chains", rows.Err())
}

// PurgeAudit deletes the oldest records of every chain up to the first one at
// or after before, at most auditPurgeBatch records per transaction. Cutting by
// sequence rather than by time keeps what remains of a chain one unbroken chain
// even when a process's clock went back slightly.
func (s *Store) PurgeAudit(ctx context.Context, before time.Time, chain storage.AuditChain) (int64, error) {
	heads, err := s.AuditHeads(ctx)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, h := range heads {
		for {
			n, err := s.purgeBatch(ctx, h.Chain, before, chain)
			if err != nil {
				return total, s.fail(fmt.Sprintf("purge audit chain %d", h.Chain), err)
			}
			total += n
			if n == 0 {
				break
			}
		}
	}
	return total, nil
}

// purgeBatch deletes one batch of a chain's records older than before and moves
// its anchor to the last of them.
func (s *Store) purgeBatch(ctx context.Context, chainID int64, before time.Time, chain storage.AuditChain) (int64, error) {
	var deleted int64
	err := s.onChain(ctx, func(tx *txn) error {
		deleted = 0
		old, exists, err := readHead(ctx, tx, chainID)
		if err != nil || !exists {
			return err
		}
		var firstKept sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT MIN(seq) FROM audit_records WHERE chain = ? AND seq > ? AND at >= ?",
			chainID, old.AnchorSeq, millis(before)).Scan(&firstKept); err != nil {
			return err
		}
		cut := old.LastSeq // everything is older
		if firstKept.Valid {
			cut = firstKept.Int64 - 1
		}
		cut = min(cut, old.AnchorSeq+auditPurgeBatch)
		if cut <= old.AnchorSeq {
			return nil
		}
		var lastHash string
		if err := tx.QueryRowContext(ctx, "SELECT hash FROM audit_records WHERE chain = ? AND seq = ?", chainID, cut).Scan(&lastHash); err != nil {
			return fmt.Errorf("read record %d: %w", cut, err)
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM audit_records WHERE chain = ? AND seq > ? AND seq <= ?", chainID, old.AnchorSeq, cut)
		if err != nil {
			return err
		}
		if deleted, err = res.RowsAffected(); err != nil {
			return err
		}
		next := old
		next.AnchorSeq, next.AnchorHash = cut, lastHash
		return s.swapHead(ctx, tx, old, exists, next, chain)
	})
	return deleted, err
}
