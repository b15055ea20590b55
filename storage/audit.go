package storage

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// AuditRecord is one entry of the append-only audit trail: an identification or
// an admin change. The trail is a set of chains; the store assigns Chain, Seq
// and PrevHash; the caller's AuditChain computes Hash over the record with
// those set, so the chain is the caller's definition and the store only keeps
// it in order.
type AuditRecord struct {
	// Chain is the chain the record belongs to: 0 is the trail written before
	// there were several chains, 1 and up are the chains processes append to.
	Chain int64
	Seq   int64
	ID    string
	Time  time.Time
	// Kind is "login", "admin" or "chain" (records about the chains themselves).
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

// AuditCursor is a place in the trail's listing order: time, then chain, then
// sequence. The zero cursor is before the first record.
type AuditCursor struct {
	Time  time.Time
	Chain int64
	Seq   int64
}

// IsZero reports the cursor before the first record.
func (c AuditCursor) IsZero() bool { return c == AuditCursor{} }

// AuditQuery selects records of every chain; zero fields do not filter. Records
// come ordered by time, then chain, then sequence: those after After, at most
// Limit (0: the store's default).
type AuditQuery struct {
	ClientID  string
	PersonKey string
	Subject   string
	// Actor selects the records of one actor exactly (an admin, or the agent
	// of a caller verification as audit.AgentActor names it).
	Actor    string
	From, To time.Time // From inclusive, To exclusive
	After    AuditCursor
	Limit    int
}

// AuditHead is the state of one chain: its last record, and the anchor its
// first kept record links to (the hash of the last purged record, empty before
// any purge).
type AuditHead struct {
	Chain      int64
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

// AuditChain computes the chain's keyed values; the store cannot extend a
// chain or move its head or anchor without one.
type AuditChain interface {
	// RecordHash is the record's link, over its content with Chain, Seq and
	// PrevHash set.
	RecordHash(AuditRecord) (string, error)
	// HeadMAC authenticates a chain state (every field but MAC).
	HeadMAC(AuditHead) string
}

// ErrStaleHead is what a write to a chain gets when the chain's head moved
// since it was read (another process appended or purged): AppendAudit retries
// on it itself, after reading the head again.
var ErrStaleHead = errors.New("audit chain head moved")

// AuditLog keeps the hash-chained audit trail: several chains, each with its
// own head, so that processes appending to different chains never write the
// same row.
type AuditLog interface {
	// AppendAudit appends records in order to one chain: each gets Chain, Seq
	// and PrevHash from that chain's head, Hash = chain.RecordHash(record); all
	// are stored and the head moved (with a new MAC) in one transaction, the
	// head by a compare-and-swap on its last sequence, read again and retried
	// when another writer moved it first. A chain without a head yet starts
	// keyed from its first record.
	AppendAudit(ctx context.Context, chainID int64, rs []AuditRecord, chain AuditChain) ([]AuditRecord, error)
	// ListAudit returns records of every chain in (time, chain, seq) order.
	ListAudit(ctx context.Context, q AuditQuery) ([]AuditRecord, error)
	// ListAuditChain returns one chain's records after afterSeq in sequence
	// order, at most limit (0: the store's default).
	ListAuditChain(ctx context.Context, chainID, afterSeq int64, limit int) ([]AuditRecord, error)
	// AuditHead reads one chain's head; ErrNotFound when the chain has none.
	AuditHead(ctx context.Context, chainID int64) (AuditHead, error)
	// AuditHeads reads every chain's head, in chain order.
	AuditHeads(ctx context.Context) ([]AuditHead, error)
	// AuditRecordChains lists the chains that hold records, in order, so that
	// records of a chain whose head is gone are not passed over.
	AuditRecordChains(ctx context.Context) ([]int64, error)
	// PurgeAudit deletes, chain by chain and in bounded batches, the records
	// older than before (oldest first, in sequence order, stopping at the first
	// newer one) and moves each chain's anchor to its last deleted record, so
	// what remains still verifies. It returns how many went.
	PurgeAudit(ctx context.Context, before time.Time, chain AuditChain) (int64, error)
	// KeyAuditChain starts the keyed chain 0 once: on an empty chain it only
	// sets KeyedFrom to 1; on a chain of older records it appends anchor (linked
	// to the last of them) and sets KeyedFrom to its Seq. A chain already keyed
	// is left as it is (false).
	KeyAuditChain(ctx context.Context, anchor AuditRecord, chain AuditChain) (bool, error)
}
