package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/portvakt/portvakt/storage"
)

// canonicalRecord fixes the order and form of the hashed fields: a struct
// encodes its fields in declaration order, times as unix milliseconds, bytes as
// base64, and Details compacted, so the same record always hashes the same.
//
// Chain is encoded from version 3 on only (nil before), so records of
// versions 1 and 2 encode, and hash, exactly as they were written.
type canonicalRecord struct {
	V                int             `json:"v"`
	Chain            *int64          `json:"chain,omitempty"`
	Seq              int64           `json:"seq"`
	ID               string          `json:"id"`
	Time             int64           `json:"time"`
	Kind             string          `json:"kind"`
	ClientID         string          `json:"client_id"`
	Actor            string          `json:"actor"`
	Action           string          `json:"action"`
	Connector        string          `json:"connector"`
	LoA              string          `json:"loa"`
	Country          string          `json:"country"`
	NationalIDSealed []byte          `json:"national_id_sealed"`
	NationalIDMasked string          `json:"national_id_masked"`
	PersonKey        string          `json:"person_key"`
	Subject          string          `json:"subject"`
	Outcome          string          `json:"outcome"`
	Error            string          `json:"error"`
	ClientIP         string          `json:"client_ip"`
	Details          json.RawMessage `json:"details"`
	PrevHash         string          `json:"prev_hash"`
}

// Hash is the unkeyed hash of the chain's first version: SHA-256 over the
// canonical encoding of the record and its PrevHash (not the record's own Hash).
// Anyone can compute it, so it proves nothing against someone who can write
// the database; it is kept to verify records written before the chain was keyed.
func Hash(r storage.AuditRecord) (string, error) {
	b, err := canonical(r, 1)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// canonical is the record's encoding at chain version v.
func canonical(r storage.AuditRecord, v int) ([]byte, error) {
	details := json.RawMessage("null")
	if len(r.Details) > 0 {
		var buf bytes.Buffer
		if err := json.Compact(&buf, r.Details); err != nil {
			return nil, fmt.Errorf("hash audit record %d: details: %w", r.Seq, err)
		}
		details = buf.Bytes()
	}
	var chain *int64
	if v >= chainedVersion {
		chain = &r.Chain
	}
	b, err := json.Marshal(canonicalRecord{
		V: v, Chain: chain, Seq: r.Seq, ID: r.ID, Time: r.Time.UnixMilli(), Kind: r.Kind, ClientID: r.ClientID, Actor: r.Actor,
		Action: r.Action, Connector: r.Connector, LoA: r.LoA, Country: r.Country, NationalIDSealed: r.NationalIDSealed,
		NationalIDMasked: r.NationalIDMasked, PersonKey: r.PersonKey, Subject: r.Subject, Outcome: r.Outcome,
		Error: r.Error, ClientIP: r.ClientIP, Details: details, PrevHash: r.PrevHash,
	})
	if err != nil {
		return nil, fmt.Errorf("hash audit record %d: %w", r.Seq, err)
	}
	return b, nil
}
