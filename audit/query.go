package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// Query selects records. NationalID finds one person's records (it is turned
// into the keyed hash; it is never stored or compared in clear). Agent finds
// the caller verifications one agent made (the value the client sent as
// agent); AgentNationalID names an agent of the broker's own agent console by
// national id instead.
type Query struct {
	ClientID        string
	NationalID      string
	Subject         string
	Agent           string
	AgentNationalID string
	From, To        time.Time
	// After resumes a listing after the record it names (the zero cursor
	// starts at the beginning).
	After Cursor
	Limit int
}

// Cursor is a place in the trail's listing order: time, then chain, then
// sequence. Its text form, "<unix milliseconds>.<chain>.<seq>", is what the
// admin API returns as next_after and takes back as after.
type Cursor struct {
	Time  time.Time
	Chain int64
	Seq   int64
}

// CursorAfter is the cursor that resumes after e.
func CursorAfter(e Entry) Cursor { return Cursor{Time: e.Time, Chain: e.Chain, Seq: e.Seq} }

func (c Cursor) String() string {
	if c == (Cursor{}) {
		return ""
	}
	return fmt.Sprintf("%d.%d.%d", c.Time.UnixMilli(), c.Chain, c.Seq)
}

// ParseCursor reads a cursor's text form; "" is the start.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	parts := strings.Split(s, ".")
	var n [3]int64
	if len(parts) != 3 {
		return Cursor{}, fmt.Errorf("audit cursor %q: want <unix milliseconds>.<chain>.<seq>", s)
	}
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil || v < 0 {
			return Cursor{}, fmt.Errorf("audit cursor %q: want <unix milliseconds>.<chain>.<seq>", s)
		}
		n[i] = v
	}
	return Cursor{Time: time.UnixMilli(n[0]).UTC(), Chain: n[1], Seq: n[2]}, nil
}

// Entry is a record as shown to admins: the national id masked, never in clear.
type Entry struct {
	Chain      int64           `json:"chain"`
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
		Chain: r.Chain, Seq: r.Seq, ID: r.ID, Time: r.Time, Kind: r.Kind, ClientID: r.ClientID, Actor: r.Actor, Action: r.Action,
		Connector: r.Connector, LoA: r.LoA, Country: r.Country, NationalID: r.NationalIDMasked, Subject: r.Subject,
		Outcome: r.Outcome, Error: r.Error, ClientIP: r.ClientIP, Details: r.Details, PrevHash: r.PrevHash, Hash: r.Hash,
	}
}

func (t *Trail) storageQuery(q Query) storage.AuditQuery {
	sq := storage.AuditQuery{ClientID: q.ClientID, Subject: q.Subject, From: q.From, To: q.To, Limit: q.Limit,
		After: storage.AuditCursor{Time: q.After.Time, Chain: q.After.Chain, Seq: q.After.Seq}}
	if q.NationalID != "" {
		sq.PersonKey = t.PersonKeyOf(q.NationalID)
	}
	switch {
	case q.AgentNationalID != "":
		sq.Actor = AgentActor(ConsoleAgent(t.PersonKeyOf(q.AgentNationalID)))
	case q.Agent != "":
		sq.Actor = AgentActor(q.Agent)
	}
	return sq
}

// List returns one page of records of every chain, by time, then chain, then
// sequence. A record committed late with an earlier time (a process's batch,
// or its clock a little behind) can land before a cursor already passed; an
// export for an archive should end a while before now.
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

// Export writes every record q selects as JSON lines, in List's order, and
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
			sq.After = storage.AuditCursor{Time: r.Time, Chain: r.Chain, Seq: r.Seq}
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
