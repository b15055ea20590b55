package storage

import (
	"context"
	"encoding/json"
	"time"
)

// AuditRecord is one entry of the append-only audit trail: an identification or
// an admin change. The store assigns Seq and PrevHash; the caller's AuditChain
// computes Hash over the record with those set, so the chain is the caller's
// definition and the store only keeps it in order.
type AuditRecord struct {
	Seq  int64
	ID   string
	Time time.Time
	// Kind is "login" or "admin".
	Kind     string
	ClientID string
	// Actor is who made an admin change ("client:<id>", "cli:<user>").
	Actor string
	// Action is the admin operation (client.create, consent.withdraw, ...).
	Action    string
	Connector string
	LoA       string
	Country   string
	// NationalIDSealed is the national id encrypted by the caller.
	NationalIDSealed []byte
	NationalIDMasked string
	// PersonKey is a keyed hash of the person's national id, so one person's
	// records can be found without decrypting every row.
	PersonKey string
	Subject   string
	Outcome   string
	Error     string
	ClientIP  string
	Details   json.RawMessage
	PrevHash  string
	Hash      string
}

// AuditQuery selects records; zero fields do not filter. Records come in Seq
// order, those with Seq > AfterSeq, at most Limit (0: the store's default).
type AuditQuery struct {
	ClientID  string
	PersonKey string
	Subject   string
	From, To  time.Time // From inclusive, To exclusive
	AfterSeq  int64
	Limit     int
}

// AuditHead is the state of the chain: the last record, and the anchor the first
// kept record links to (the hash of the last purged record, empty before any purge).
type AuditHead struct {
	LastSeq    int64
	LastHash   string
	AnchorSeq  int64
	AnchorHash string
	// KeyedFrom is the first record of the keyed chain; records before it were
	// written before the chain was keyed. 0: the chain is not keyed yet.
	KeyedFrom int64
	// MAC authenticates the fields above under the chain key, so that without
	// that key the head cannot be moved back nor the anchor forward.
	MAC string
}

// AuditChain computes the chain's keyed values; the store cannot extend the
// chain or move its head or anchor without one.
type AuditChain interface {
	// RecordHash is the record's link, over its content with Seq and PrevHash set.
	RecordHash(AuditRecord) (string, error)
	// HeadMAC authenticates a chain state (every field but MAC).
	HeadMAC(AuditHead) string
}

// AuditLog keeps the hash-chained audit trail. Appends from every process that
// shares the database form one chain.
type AuditLog interface {
	// AppendAudit appends records in order: each gets Seq and PrevHash from the
	// chain head, Hash = chain.RecordHash(record); all are stored and the head
	// moved (with a new MAC) in one serialized step (one lock, one commit for the
	// batch).
	AppendAudit(ctx context.Context, rs []AuditRecord, chain AuditChain) ([]AuditRecord, error)
	ListAudit(ctx context.Context, q AuditQuery) ([]AuditRecord, error)
	AuditHead(ctx context.Context) (AuditHead, error)
	// PurgeAudit deletes the records older than before (oldest first, in Seq order,
	// stopping at the first newer one) and moves the anchor to the last deleted
	// record, so what remains still verifies. It returns how many went.
	PurgeAudit(ctx context.Context, before time.Time, chain AuditChain) (int64, error)
	// KeyAuditChain starts the keyed chain once: on an empty chain it only sets
	// KeyedFrom to 1; on a chain of older records it appends anchor (linked to
	// the last of them) and sets KeyedFrom to its Seq. A chain already keyed is
	// left as it is (false).
	KeyAuditChain(ctx context.Context, anchor AuditRecord, chain AuditChain) (bool, error)
}
