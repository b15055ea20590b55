package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/portvakt/portvakt/storage"
)

var _ storage.AuditLog = (*Store)(nil)

const auditColumns = "seq, id, at, kind, client_id, actor, action, connector, loa, country, " +
	"national_id_sealed, national_id_masked, person_key, subject, outcome, error, client_ip, details, prev_hash, hash"

// defaultAuditLimit bounds one page of ListAudit.
const defaultAuditLimit = 1000

const auditHeadColumns = "last_seq, last_hash, anchor_seq, anchor_hash, keyed_from, mac"

func scanAuditHead(row scanner) (storage.AuditHead, error) {
	var h storage.AuditHead
	err := row.Scan(&h.LastSeq, &h.LastHash, &h.AnchorSeq, &h.AnchorHash, &h.KeyedFrom, &h.MAC)
	return h, err
}

// lockHead reads the chain head and holds it until the transaction ends: on
// MySQL a row lock (FOR UPDATE), on SQLite the database write lock that BEGIN
// IMMEDIATE already took.
func (s *Store) lockHead(ctx context.Context, tx *sql.Tx) (storage.AuditHead, error) {
	q := "SELECT " + auditHeadColumns + " FROM audit_chain WHERE id = 1"
	if s.dialect.name == DriverMySQL {
		q += " FOR UPDATE"
	}
	return scanAuditHead(tx.QueryRowContext(ctx, q))
}

// writeHead stores the new chain state with its MAC.
func writeHead(ctx context.Context, tx *sql.Tx, h storage.AuditHead, chain storage.AuditChain) error {
	h.MAC = chain.HeadMAC(h)
	_, err := tx.ExecContext(ctx, "UPDATE audit_chain SET last_seq = ?, last_hash = ?, anchor_seq = ?, anchor_hash = ?, keyed_from = ?, mac = ? WHERE id = 1",
		h.LastSeq, h.LastHash, h.AnchorSeq, h.AnchorHash, h.KeyedFrom, h.MAC)
	return err
}

// appendLocked adds records after the locked head and returns them and the new head.
func appendLocked(ctx context.Context, tx *sql.Tx, head storage.AuditHead, rs []storage.AuditRecord, chain storage.AuditChain) ([]storage.AuditRecord, storage.AuditHead, error) {
	stored := make([]storage.AuditRecord, 0, len(rs))
	for _, r := range rs {
		rec := r
		rec.Time = normalTime(rec.Time)
		rec.Seq, rec.PrevHash = head.LastSeq+1, head.LastHash
		var err error
		if rec.Hash, err = chain.RecordHash(rec); err != nil {
			return nil, head, err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO audit_records ("+auditColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			rec.Seq, rec.ID, millis(rec.Time), rec.Kind, rec.ClientID, rec.Actor, rec.Action, rec.Connector, rec.LoA, rec.Country,
			rec.NationalIDSealed, rec.NationalIDMasked, rec.PersonKey, rec.Subject, rec.Outcome, rec.Error, rec.ClientIP,
			text(rec.Details), rec.PrevHash, rec.Hash); err != nil {
			return nil, head, err
		}
		head.LastSeq, head.LastHash = rec.Seq, rec.Hash
		stored = append(stored, rec)
	}
	return stored, head, nil
}

// AppendAudit adds records at the end of the one chain shared by every process,
// in one transaction: concurrent logins share the chain-head lock and the commit.
func (s *Store) AppendAudit(ctx context.Context, rs []storage.AuditRecord, chain storage.AuditChain) ([]storage.AuditRecord, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	var stored []storage.AuditRecord
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		head, err := s.lockHead(ctx, tx)
		if err != nil {
			return fmt.Errorf("lock chain head: %w", err)
		}
		if stored, head, err = appendLocked(ctx, tx, head, rs, chain); err != nil {
			return err
		}
		return writeHead(ctx, tx, head, chain)
	})
	if err != nil {
		return nil, s.fail("append audit records", err)
	}
	return stored, nil
}

// KeyAuditChain starts the keyed chain, once, under the chain-head lock.
func (s *Store) KeyAuditChain(ctx context.Context, anchor storage.AuditRecord, chain storage.AuditChain) (bool, error) {
	var keyed bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		keyed = false
		head, err := s.lockHead(ctx, tx)
		if err != nil {
			return fmt.Errorf("lock chain head: %w", err)
		}
		if head.KeyedFrom > 0 {
			return nil
		}
		head.KeyedFrom = 1
		if head.LastSeq > 0 {
			head.KeyedFrom = head.LastSeq + 1
			if _, head, err = appendLocked(ctx, tx, head, []storage.AuditRecord{anchor}, chain); err != nil {
				return err
			}
		}
		keyed = true
		return writeHead(ctx, tx, head, chain)
	})
	return keyed, s.fail("key audit chain", err)
}

func scanAuditRecord(row scanner) (storage.AuditRecord, error) {
	var (
		r       storage.AuditRecord
		at      int64
		details sql.NullString
	)
	err := row.Scan(&r.Seq, &r.ID, &at, &r.Kind, &r.ClientID, &r.Actor, &r.Action, &r.Connector, &r.LoA, &r.Country,
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

// ListAudit returns the records q selects, in chain order.
func (s *Store) ListAudit(ctx context.Context, q storage.AuditQuery) ([]storage.AuditRecord, error) {
	where := []string{"seq > ?"}
	args := []any{q.AfterSeq}
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
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
	if !q.From.IsZero() {
		add("at >= ?", millis(q.From))
	}
	if !q.To.IsZero() {
		add("at < ?", millis(q.To))
	}
	limit := q.Limit
	if limit <= 0 || limit > defaultAuditLimit {
		limit = defaultAuditLimit
	}
	// Built from fixed fragments only; the values travel as arguments.
	query := fmt.Sprintf("SELECT %s FROM audit_records WHERE %s ORDER BY seq LIMIT %d", auditColumns, strings.Join(where, " AND "), limit) //nolint:gosec // G201: fixed fragments, see above
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.fail("list audit records", err)
	}
	defer rows.Close()
	var out []storage.AuditRecord
	for rows.Next() {
		r, err := scanAuditRecord(rows)
		if err != nil {
			return nil, s.fail("list audit records", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("list audit records", err)
	}
	return out, nil
}

// AuditHead reads the chain head.
func (s *Store) AuditHead(ctx context.Context) (storage.AuditHead, error) {
	h, err := scanAuditHead(s.queryRow(ctx, "SELECT "+auditHeadColumns+" FROM audit_chain WHERE id = 1"))
	return h, s.fail("read audit chain head", err)
}

// PurgeAudit deletes the oldest records up to the first one at or after before.
// Cutting by Seq rather than by time keeps the remaining records one unbroken
// chain even when processes' clocks disagree slightly.
func (s *Store) PurgeAudit(ctx context.Context, before time.Time, chain storage.AuditChain) (int64, error) {
	var deleted int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		deleted = 0
		head, err := s.lockHead(ctx, tx)
		if err != nil {
			return fmt.Errorf("lock chain head: %w", err)
		}
		var firstKept sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT MIN(seq) FROM audit_records WHERE at >= ?", millis(before)).Scan(&firstKept); err != nil {
			return err
		}
		cut := head.LastSeq // everything is older
		if firstKept.Valid {
			cut = firstKept.Int64 - 1
		}
		if cut <= head.AnchorSeq {
			return nil
		}
		var lastHash string
		if err := tx.QueryRowContext(ctx, "SELECT hash FROM audit_records WHERE seq = ?", cut).Scan(&lastHash); err != nil {
			return fmt.Errorf("read record %d: %w", cut, err)
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM audit_records WHERE seq <= ?", cut)
		if err != nil {
			return err
		}
		if deleted, err = res.RowsAffected(); err != nil {
			return err
		}
		head.AnchorSeq, head.AnchorHash = cut, lastHash
		return writeHead(ctx, tx, head, chain)
	})
	return deleted, s.fail("purge audit records", err)
}
