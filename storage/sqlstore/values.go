package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// Times are unix milliseconds: exact, portable, and compared as integers.

func millis(t time.Time) int64 { return t.UnixMilli() }

// nullBytes stores an empty value as NULL: code_hash is unique, and many rows
// have no code.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// nullMillis stores the zero time as NULL.
func nullMillis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func fromNullMillis(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return fromMillis(ms.Int64)
}

// normalTime is t as it reads back from the database.
func normalTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return fromMillis(t.UnixMilli())
}

// text stores a document as text (nil as NULL), so it stays readable in the
// database and MySQL checks it is valid utf8mb4.
func text(doc []byte) any {
	if doc == nil {
		return nil
	}
	return string(doc)
}

func encodeList(list []string) (string, error) {
	b, err := json.Marshal(list)
	if err != nil {
		return "", fmt.Errorf("encode list: %w", err)
	}
	return string(b), nil
}

func decodeList(doc sql.NullString) ([]string, error) {
	if !doc.Valid || doc.String == "" || doc.String == "null" {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal([]byte(doc.String), &list); err != nil {
		return nil, fmt.Errorf("decode list: %w", err)
	}
	return list, nil
}

// maxUpdateAttempts bounds the retries of a compare-and-swap that keeps losing.
const maxUpdateAttempts = 10

// backoff waits a random, growing time before retry attempt n, so that callers
// racing for one row spread out instead of colliding again.
func backoff(ctx context.Context, attempt int) error {
	limit := min(time.Millisecond<<attempt, 50*time.Millisecond)
	timer := time.NewTimer(rand.N(limit) + 1) //nolint:gosec // G404: retry jitter, not a secret
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
