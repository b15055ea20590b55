package conformance

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// NewCluster returns, for one test, several stores sharing one database, each
// through its own pool (and, on a Galera cluster, its own node), and arranges
// (t.Cleanup) for them to be closed.
type NewCluster func(t *testing.T) []storage.Storage

// RunClusterTests runs the whole suite against stores that share one database:
// each call goes to the next member in turn, so a read right after a write goes
// to another member than the write did, and racing writer i writes through
// member i % n. It is how a store shows it holds its promises with several
// broker processes on several nodes.
func RunClusterTests(t *testing.T, newCluster NewCluster) {
	t.Helper()
	RunTests(t, func(t *testing.T) storage.Storage {
		members := newCluster(t)
		if len(members) < 2 {
			t.Fatalf("a cluster of %d stores; want two or more", len(members))
		}
		return &cluster{members: members}
	})
}

// cluster is storage.Storage over several stores of one database, calling
// them in turn.
type cluster struct {
	members []storage.Storage
	calls   atomic.Uint64
}

func (cl *cluster) next() storage.Storage {
	return cl.members[(cl.calls.Add(1)-1)%uint64(len(cl.members))]
}

// writer is the store racing writer i uses: member i % n of a cluster, else s.
func writer(s storage.Storage, i int) storage.Storage {
	if cl, ok := s.(*cluster); ok {
		return cl.members[i%len(cl.members)]
	}
	return s
}

// isCluster reports stores that count in shards of their own, whose racing
// hits need not each see a distinct count.
func isCluster(s storage.Storage) bool {
	_, ok := s.(*cluster)
	return ok
}

// Close is left to NewCluster's cleanup.
func (cl *cluster) Close() error { return nil }

func (cl *cluster) Generation(ctx context.Context, name string) (int64, error) {
	return cl.next().Generation(ctx, name)
}

func (cl *cluster) BumpGeneration(ctx context.Context, name string) error {
	return cl.next().BumpGeneration(ctx, name)
}

func (cl *cluster) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	return cl.next().PurgeExpired(ctx, now)
}

func (cl *cluster) Ping(ctx context.Context) error {
	return cl.next().Ping(ctx)
}

func (cl *cluster) CreateClient(ctx context.Context, c storage.Client) error {
	return cl.next().CreateClient(ctx, c)
}

func (cl *cluster) GetClient(ctx context.Context, id string) (storage.Client, error) {
	return cl.next().GetClient(ctx, id)
}

func (cl *cluster) ListClients(ctx context.Context) ([]storage.Client, error) {
	return cl.next().ListClients(ctx)
}

func (cl *cluster) UpdateClient(ctx context.Context, id string, update func(storage.Client) (storage.Client, error)) error {
	return cl.next().UpdateClient(ctx, id, update)
}

func (cl *cluster) DeleteClient(ctx context.Context, id string) error {
	return cl.next().DeleteClient(ctx, id)
}

func (cl *cluster) CreateAuthRequest(ctx context.Context, r storage.AuthRequest) error {
	return cl.next().CreateAuthRequest(ctx, r)
}

func (cl *cluster) GetAuthRequest(ctx context.Context, id string) (storage.AuthRequest, error) {
	return cl.next().GetAuthRequest(ctx, id)
}

func (cl *cluster) UpdateAuthRequest(ctx context.Context, id string, update func(storage.AuthRequest) (storage.AuthRequest, error)) (storage.AuthRequest, error) {
	return cl.next().UpdateAuthRequest(ctx, id, update)
}

func (cl *cluster) ReplaceAuthRequest(ctx context.Context, next storage.AuthRequest) (storage.AuthRequest, error) {
	return cl.next().ReplaceAuthRequest(ctx, next)
}

func (cl *cluster) ConsumeCode(ctx context.Context, codeHash []byte, now time.Time) (storage.AuthRequest, error) {
	return cl.next().ConsumeCode(ctx, codeHash, now)
}

func (cl *cluster) DeleteAuthRequest(ctx context.Context, id string) error {
	return cl.next().DeleteAuthRequest(ctx, id)
}

func (cl *cluster) ExpiredOpenOrders(ctx context.Context, now time.Time, limit int) ([]storage.AuthRequest, error) {
	return cl.next().ExpiredOpenOrders(ctx, now, limit)
}

func (cl *cluster) OpenOrders(ctx context.Context, prefix, after string, now time.Time, limit int) ([]storage.AuthRequest, error) {
	return cl.next().OpenOrders(ctx, prefix, after, now, limit)
}

func (cl *cluster) CreateToken(ctx context.Context, t storage.Token) error {
	return cl.next().CreateToken(ctx, t)
}

func (cl *cluster) GetToken(ctx context.Context, id string) (storage.Token, error) {
	return cl.next().GetToken(ctx, id)
}

func (cl *cluster) RevokeToken(ctx context.Context, id string, at time.Time) error {
	return cl.next().RevokeToken(ctx, id, at)
}

func (cl *cluster) RevokeTokensByAuthRequest(ctx context.Context, authRequestID string, at time.Time) (int64, error) {
	return cl.next().RevokeTokensByAuthRequest(ctx, authRequestID, at)
}

func (cl *cluster) RevokeTokensOfSession(ctx context.Context, clientID, subject, session string, at time.Time) (int64, error) {
	return cl.next().RevokeTokensOfSession(ctx, clientID, subject, session, at)
}

func (cl *cluster) RevokeTokensByClient(ctx context.Context, clientID string, at time.Time) (int64, error) {
	return cl.next().RevokeTokensByClient(ctx, clientID, at)
}

func (cl *cluster) ListKeys(ctx context.Context) ([]storage.SigningKey, error) {
	return cl.next().ListKeys(ctx)
}

func (cl *cluster) CreateKey(ctx context.Context, k storage.SigningKey) error {
	return cl.next().CreateKey(ctx, k)
}

func (cl *cluster) RetireKey(ctx context.Context, id string, retiredAt, expiresAt time.Time) error {
	return cl.next().RetireKey(ctx, id, retiredAt, expiresAt)
}

func (cl *cluster) RotateKey(ctx context.Context, lease storage.Lease, k storage.SigningKey, retire []string, retiredAt, expiresAt time.Time) error {
	return cl.next().RotateKey(ctx, lease, k, retire, retiredAt, expiresAt)
}

func (cl *cluster) GetSecret(ctx context.Context, name string) ([]byte, error) {
	return cl.next().GetSecret(ctx, name)
}

func (cl *cluster) CreateSecret(ctx context.Context, name string, value []byte) error {
	return cl.next().CreateSecret(ctx, name, value)
}

func (cl *cluster) FindSession(ctx context.Context, token string) (data []byte, found bool, err error) {
	return cl.next().FindSession(ctx, token)
}

func (cl *cluster) CommitSession(ctx context.Context, token string, data []byte, expiry time.Time) error {
	return cl.next().CommitSession(ctx, token, data, expiry)
}

func (cl *cluster) DeleteSession(ctx context.Context, token string) error {
	return cl.next().DeleteSession(ctx, token)
}

func (cl *cluster) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (storage.Lease, error) {
	return cl.next().AcquireLease(ctx, name, holder, ttl)
}

func (cl *cluster) ReleaseLease(ctx context.Context, name, holder string) error {
	return cl.next().ReleaseLease(ctx, name, holder)
}

func (cl *cluster) Hit(ctx context.Context, key string, windowStart, expiresAt time.Time) (int64, error) {
	return cl.next().Hit(ctx, key, windowStart, expiresAt)
}

func (cl *cluster) CreatePushedRequest(ctx context.Context, r storage.PushedRequest) error {
	return cl.next().CreatePushedRequest(ctx, r)
}

func (cl *cluster) TakePushedRequest(ctx context.Context, refHash []byte, now time.Time) (storage.PushedRequest, error) {
	return cl.next().TakePushedRequest(ctx, refHash, now)
}

func (cl *cluster) CreateEvidence(ctx context.Context, r storage.EvidenceRecord) error {
	return cl.next().CreateEvidence(ctx, r)
}

func (cl *cluster) GetEvidence(ctx context.Context, id string, now time.Time) (storage.EvidenceRecord, error) {
	return cl.next().GetEvidence(ctx, id, now)
}

func (cl *cluster) PurgeEvidence(ctx context.Context, now time.Time, limit int) ([]storage.PurgedEvidence, error) {
	return cl.next().PurgeEvidence(ctx, now, limit)
}

func (cl *cluster) ListEvidenceKeys(ctx context.Context) ([]storage.EvidenceKey, error) {
	return cl.next().ListEvidenceKeys(ctx)
}

func (cl *cluster) RotateEvidenceKey(ctx context.Context, lease storage.Lease, k storage.EvidenceKey, retire []string, retiredAt time.Time) error {
	return cl.next().RotateEvidenceKey(ctx, lease, k, retire, retiredAt)
}
