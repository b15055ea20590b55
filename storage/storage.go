package storage

import (
	"context"
	"encoding/json"
	"time"
)

// Storage is everything the broker persists. Implementations must be safe for
// concurrent use by many goroutines and by several broker processes sharing one
// database. Every method honours ctx.
type Storage interface {
	Clients
	AuthRequests
	Tokens
	Keys
	Secrets
	Sessions
	Leases
	RateCounters
	PushedRequests
	Evidence

	// Generation returns a counter that changes whenever the named kind of record
	// changes ("clients", "keys"), so caches in every process can tell when to reload.
	Generation(ctx context.Context, name string) (int64, error)
	// BumpGeneration increments the named counter.
	BumpGeneration(ctx context.Context, name string) error

	// PurgeExpired deletes every record whose expiry is before now and returns how
	// many rows went.
	PurgeExpired(ctx context.Context, now time.Time) (int64, error)
	// Ping checks the database answers and may be used (for /readyz): a Galera
	// node outside the Primary Component or not Synced gives a NotReadyError.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// Client is a relying party. Settings holds its ClientDocument as
// EncodeClientDocument writes it; the stores keep it as it is and do not look
// inside it.
type Client struct {
	ID string
	// Source is "config" for clients from the config file (read-only through the
	// admin API) and "api" for clients managed through the API or CLI.
	Source    string
	Settings  json.RawMessage
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version changes with every update (set by storage; ignored on create).
	Version int64
}

// ClientRecord names one version of one incarnation of a client's record.
type ClientRecord struct {
	CreatedAt time.Time
	Version   int64
}

// Clients stores relying parties. Every change bumps the "clients" generation.
type Clients interface {
	CreateClient(ctx context.Context, c Client) error // ErrAlreadyExists
	GetClient(ctx context.Context, id string) (Client, error)
	ListClients(ctx context.Context) ([]Client, error) // ordered by ID
	// UpdateClient loads the client, calls update and stores the result if the record
	// did not change in between; it retries on a race (update may run several times),
	// at least ten times before it gives up with ErrConflict.
	UpdateClient(ctx context.Context, id string, update func(Client) (Client, error)) error
	DeleteClient(ctx context.Context, id string) error // ErrNotFound
}

// AuthRequest is one authorization request and its login state, from /authorize to
// the code's redemption. Data is the provider's document (request parameters, login
// progress, identity); storage does not look inside it.
type AuthRequest struct {
	ID       string
	ClientID string
	Data     json.RawMessage
	// CodeHash is SHA-256 of the authorization code once issued, else nil;
	// CodeExpiresAt is when that code stops being accepted.
	CodeHash      []byte
	CodeExpiresAt time.Time
	// CodeUsedAt is when the code was redeemed, else zero.
	CodeUsedAt time.Time
	CreatedAt  time.Time
	ExpiresAt  time.Time
	// OpenOrder marks a login with an eID order still open upstream, so that when
	// the request expires its order can be cancelled before the row is purged.
	OpenOrder bool
	// Version increases on every update (optimistic concurrency).
	Version int64
}

// OpenOrderGrace is how long an expired request with an open order outlives its
// expiry waiting for ExpiredOpenOrders' caller; after that it is purged anyway,
// so the table stays bounded when nothing cancels (the upstream's own order
// lifetime is minutes).
const OpenOrderGrace = time.Hour

// AuthRequests stores login state.
type AuthRequests interface {
	CreateAuthRequest(ctx context.Context, r AuthRequest) error
	// GetAuthRequest returns ErrNotFound for unknown and expired requests.
	GetAuthRequest(ctx context.Context, id string) (AuthRequest, error)
	// UpdateAuthRequest is a compare-and-swap on Version, retried on a race; update
	// may run several times. It may change Data, ExpiresAt, OpenOrder, and CodeHash
	// with CodeExpiresAt (issuing the code in the same write that finishes the login).
	UpdateAuthRequest(ctx context.Context, id string, update func(AuthRequest) (AuthRequest, error)) (AuthRequest, error)
	// ReplaceAuthRequest is one compare-and-swap: it stores next (the fields
	// UpdateAuthRequest may change) if the request is still at next.Version, the
	// version the caller read, and returns it at its new version. It saves the
	// read when the caller holds the request already. ErrConflict: another write
	// came first; ErrNotFound: the request is unknown or expired.
	ReplaceAuthRequest(ctx context.Context, next AuthRequest) (AuthRequest, error)
	// ConsumeCode accepts a code until its CodeExpiresAt, while the request lives
	// on to its own ExpiresAt, so a reuse after the code expired is still
	// recognised. It atomically marks the code used and returns its request: exactly one
	// of many concurrent callers succeeds. A code used before gives the request and
	// ErrCodeReused; an unknown or expired code gives ErrNotFound.
	ConsumeCode(ctx context.Context, codeHash []byte, now time.Time) (AuthRequest, error)
	DeleteAuthRequest(ctx context.Context, id string) error
	// ExpiredOpenOrders returns up to limit requests expired at now that still
	// have OpenOrder set, for their orders to be cancelled upstream; the caller
	// deletes each one it handled. PurgeExpired keeps them for OpenOrderGrace.
	ExpiredOpenOrders(ctx context.Context, now time.Time, limit int) ([]AuthRequest, error)
	// OpenOrders returns up to limit requests not expired at now that have
	// OpenOrder set and an id that starts with prefix and sorts after after
	// ("" for the first page), in id order: the orders a background collector
	// polls (caller verifications have ids of their own prefix).
	OpenOrders(ctx context.Context, prefix, after string, now time.Time, limit int) ([]AuthRequest, error)
}

// Token is an issued access token (its ID is the jti of a JWT access token, or the
// opaque token's id).
type Token struct {
	ID            string
	ClientID      string
	Subject       string
	AuthRequestID string
	// Session names the browser session the token was issued in (empty for
	// tokens issued without a browser): logout revokes only that session's tokens.
	Session  string
	Scopes   []string
	Audience []string
	// Claims is the userinfo document for this token (computed at issuance),
	// as the provider stores it: sealed, a JSON string. The store keeps it as is.
	Claims json.RawMessage
	// DPoPJKT, when set, binds the token to a DPoP key (RFC 9449 §6): the
	// base64url SHA-256 thumbprint of the key's JWK (RFC 7638). Only a request
	// with a proof signed by that key may use the token.
	DPoPJKT   string
	CreatedAt time.Time
	ExpiresAt time.Time
	// RevokedAt is zero unless revoked.
	RevokedAt time.Time
	// IssuedUnder, when its Version is set, is the client record the issuer
	// authenticated the client against: CreateToken stores the token only if the
	// client's record is still exactly that one, else ErrConflict, so a process
	// with a stale view of a changed or deleted client cannot issue a token.
	// GetToken leaves it empty.
	IssuedUnder ClientRecord
}

// Tokens stores access tokens so they can be revoked and introspected.
type Tokens interface {
	CreateToken(ctx context.Context, t Token) error
	// GetToken returns revoked tokens too (RevokedAt set) and ErrNotFound for
	// unknown or expired ones.
	GetToken(ctx context.Context, id string) (Token, error)
	RevokeToken(ctx context.Context, id string, at time.Time) error
	// RevokeTokensByAuthRequest revokes every token issued from one auth request (a
	// reused code) and returns how many.
	RevokeTokensByAuthRequest(ctx context.Context, authRequestID string, at time.Time) (int64, error)
	// RevokeTokensOfSession revokes the tokens of subject for client issued in one
	// browser session (logout); the same person's tokens from another browser live
	// on. An empty session revokes nothing.
	RevokeTokensOfSession(ctx context.Context, clientID, subject, session string, at time.Time) (int64, error)
	// RevokeTokensByClient revokes every token of the client (it was deleted,
	// disabled, re-keyed or lost a right) and returns how many.
	RevokeTokensByClient(ctx context.Context, clientID string, at time.Time) (int64, error)
}

// SigningKey is a token signing key. PrivateKey is encrypted by the caller.
type SigningKey struct {
	ID         string // kid
	Algorithm  string // RS256, PS256, ES256, EdDSA
	PrivateKey []byte
	PublicJWK  json.RawMessage
	CreatedAt  time.Time
	// RetiredAt is when it stopped signing (zero while current).
	RetiredAt time.Time
	// ExpiresAt is when it leaves the JWKS (zero while current); purged after.
	ExpiresAt time.Time
}

// Keys stores signing keys. Every change bumps the "keys" generation.
type Keys interface {
	// ListKeys returns keys not yet expired, newest first.
	ListKeys(ctx context.Context) ([]SigningKey, error)
	CreateKey(ctx context.Context, k SigningKey) error
	// RetireKey sets RetiredAt and ExpiresAt of a current key; ErrNotFound if the key
	// is unknown or already retired.
	RetireKey(ctx context.Context, id string, retiredAt, expiresAt time.Time) error
	// RotateKey stores k and retires those of the keys named in retire that are
	// still current, in one write fenced by lease: it fails with ErrLeaseLost,
	// writing nothing, unless lease is still held by its holder under its token.
	RotateKey(ctx context.Context, lease Lease, k SigningKey, retire []string, retiredAt, expiresAt time.Time) error
}

// Secrets stores named server secrets (encrypted by the caller), created once.
type Secrets interface {
	GetSecret(ctx context.Context, name string) ([]byte, error) // ErrNotFound
	// CreateSecret stores value under name unless it exists (ErrAlreadyExists): the
	// first of several processes to create a secret wins and the rest read it.
	CreateSecret(ctx context.Context, name string, value []byte) error
}

// Sessions is the browser session store behind scs.
type Sessions interface {
	FindSession(ctx context.Context, token string) (data []byte, found bool, err error)
	CommitSession(ctx context.Context, token string, data []byte, expiry time.Time) error
	DeleteSession(ctx context.Context, token string) error
}

// Leases are short named locks shared by all broker processes (one key rotation at a
// time, one upstream poll per order at a time).
type Leases interface {
	// AcquireLease takes name for holder until now+ttl if it is free, expired or
	// already held by holder. Lease.Held reports whether holder has it, and
	// Lease.Token fences the holder's writes (RotateKey).
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (Lease, error)
	// ReleaseLease frees name if holder has it.
	ReleaseLease(ctx context.Context, name, holder string) error
}

// Lease is what AcquireLease found.
type Lease struct {
	Name   string
	Holder string
	// Held reports whether Holder has the lease.
	Held bool
	// Token, when Held, grows every time the lease is taken or extended: a write
	// fenced by it fails once another holder has taken the lease since.
	Token int64
	// ExpiresAt is when the lease lapses unless extended (when Held).
	ExpiresAt time.Time
}

// RateCounters count events per key in fixed windows, shared by all processes.
type RateCounters interface {
	// Hit adds one to the counter of key in the window starting at windowStart (kept
	// until expiresAt) and returns the new count. A store shared by several
	// processes may count in shards of its own and return the sum over them: then
	// the count each caller sees is at least its own process's count and at most
	// the total.
	Hit(ctx context.Context, key string, windowStart, expiresAt time.Time) (int64, error)
}
