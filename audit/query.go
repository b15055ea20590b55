package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// Query selects records. NationalID finds one person's records (it is turned
// into the keyed hash; it is never stored or compared in clear).
type Query struct {
	ClientID   string
	NationalID string
	Subject    string
	From, To   time.Time
	After      int64
	Limit      int
}

// Entry is a record as shown to admins: the national id masked, never in clear.
type Entry struct {
	Seq        int64           `json:"seq"`
	ID         string          `json:"id"`
	Time       time.Time       `json:"time"`
	Kind       string          `json:"kind"`
	ClientID   string          `json:"client_id,omitempty"`
	Actor      string          `json:"actor,omitempty"`
	Action     string          `json:"action,omitempty"`
	Connector  string          `json:"eid,omitempty"`
	LoA        string          `json:"loa,omitempty"`
	Country    string          `json:"country,omitempty"`
	NationalID string          `json:"national_id,omitempty"`
	Subject    string          `json:"sub,omitempty"`
	Outcome    string          `json:"outcome,omitempty"`
	Error      string          `json:"error,omitempty"`
	ClientIP   string          `json:"client_ip,omitempty"`
	Details    json.RawMessage `json:"details,omitempty"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

func entryOf(r storage.AuditRecord) Entry {
	return Entry{
		Seq: r.Seq, ID: r.ID, Time: r.Time, Kind: r.Kind, ClientID: r.ClientID, Actor: r.Actor, Action: r.Action,
		Connector: r.Connector, LoA: r.LoA, Country: r.Country, NationalID: r.NationalIDMasked, Subject: r.Subject,
		Outcome: r.Outcome, Error: r.Error, ClientIP: r.ClientIP, Details: r.Details, PrevHash: r.PrevHash, Hash: r.Hash,
	}
}

func (t *Trail) storageQuery(q Query) storage.AuditQuery {
	sq := storage.AuditQuery{ClientID: q.ClientID, Subject: q.Subject, From: q.From, To: q.To, AfterSeq: q.After, Limit: q.Limit}
	if q.NationalID != "" {
		sq.PersonKey = t.PersonKeyOf(q.NationalID)
	}
	return sq
}

// List returns one page of records in chain order.
func (t *Trail) List(ctx context.Context, q Query) ([]Entry, error) {
	recs, err := t.store.ListAudit(ctx, t.storageQuery(q))
	if err != nil {
		return nil, fmt.Errorf("list audit records: %w", err)
	}
	out := make([]Entry, 0, len(recs))
	for _, r := range recs {
		out = append(out, entryOf(r))
	}
	return out, nil
}

// Export writes every record q selects as JSON lines, in chain order, and
// returns how many.
func (t *Trail) Export(ctx context.Context, w io.Writer, q Query) (int, error) {
	sq := t.storageQuery(q)
	enc := json.NewEncoder(w)
	n := 0
	for {
		sq.Limit = 1000
		recs, err := t.store.ListAudit(ctx, sq)
		if err != nil {
			return n, fmt.Errorf("export audit records: %w", err)
		}
		for _, r := range recs {
			if err := enc.Encode(entryOf(r)); err != nil {
				return n, fmt.Errorf("export audit records: %w", err)
			}
			n++
			sq.AfterSeq = r.Seq
		}
		if len(recs) < 1000 || (q.Limit > 0 && n >= q.Limit) {
			return n, nil
		}
	}
}

// Purge deletes records older than the retention period; the chain still
// verifies afterwards.
func (t *Trail) Purge(ctx context.Context, retention time.Duration) (int64, error) {
	if retention <= 0 {
		return 0, fmt.Errorf("purge audit records: no retention period set")
	}
	n, err := t.store.PurgeAudit(ctx, t.now().Add(-retention), t.chain)
	if err != nil {
		return 0, fmt.Errorf("purge audit records: %w", err)
	}
	return n, nil
}

// RevealNationalID opens a record's sealed national id (the sealer refuses a
// blob moved to another record).
func (t *Trail) RevealNationalID(r storage.AuditRecord) (string, error) {
	if len(r.NationalIDSealed) == 0 {
		return "", nil
	}
	b, err := t.sealer.Open(r.NationalIDSealed, []byte(r.ID))
	if err != nil {
		return "", fmt.Errorf("audit record %d: %w", r.Seq, err)
	}
	return string(b), nil
}
