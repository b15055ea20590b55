package audit

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// chainSlots is how many chains processes append to (chains 1 to 64): more
// than a deployment has broker processes, so each normally has a chain alone.
const chainSlots = 64

// leaseName names the lease on chain n.
func leaseName(n int64) string { return fmt.Sprintf("audit-chain-%d", n) }

// slot is the chain this process appends to. It is claimed on the first
// append (a process that only reads the trail, such as `audit verify`, claims
// none) through a lease on the first free of chains 1 to 64, renewed well
// before it expires and released on Close. The lease is only about speed: two
// processes on one chain still form one valid chain (every append is a
// compare-and-swap of the head), they only retry more. So when every slot is
// taken, or the lease cannot be renewed, the process keeps appending where it is.
type slot struct {
	leases storage.Leases // nil: no leases, a chain picked by holder
	holder string
	ttl    time.Duration
	logger *slog.Logger

	mu     sync.Mutex
	chain  int64 // 0 until claimed
	leased bool
}

// claimed reports the chain, or 0 before the first append.
func (s *slot) claimed() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chain
}

// claim returns the process's chain, claiming one on the first call; fresh
// reports that it was claimed now.
func (s *slot) claim(ctx context.Context) (chain int64, fresh bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.chain != 0 {
		return s.chain, false, nil
	}
	if s.leases != nil {
		for n := int64(1); n <= chainSlots; n++ {
			lease, err := s.leases.AcquireLease(ctx, leaseName(n), s.holder, s.ttl)
			if err != nil {
				return 0, false, fmt.Errorf("claim an audit chain: %w", err)
			}
			if lease.Held {
				s.chain, s.leased = n, true
				return n, true, nil
			}
		}
		s.logger.WarnContext(ctx, "every audit chain slot is leased; sharing one", "slots", chainSlots)
	}
	// Spread processes that found no free slot over the chains.
	h := fnv.New64a()
	h.Write([]byte(s.holder))
	s.chain = 1 + int64(h.Sum64()%chainSlots)
	return s.chain, true, nil
}

// renew extends the lease; a lease lost to another process (after it expired)
// is logged and taken back when it is free again.
func (s *slot) renew(ctx context.Context) {
	s.mu.Lock()
	chain, leases := s.chain, s.leases
	s.mu.Unlock()
	if chain == 0 || leases == nil {
		return
	}
	lease, err := leases.AcquireLease(ctx, leaseName(chain), s.holder, s.ttl)
	if err != nil {
		s.logger.WarnContext(ctx, "renew the audit chain lease", "chain", chain, "error", err)
		return
	}
	s.mu.Lock()
	if !lease.Held && s.leased {
		s.logger.WarnContext(ctx, "another process took this process's audit chain; both append to it", "chain", chain)
	}
	s.leased = lease.Held
	s.mu.Unlock()
}

// release frees the lease, so that the next process may take the chain.
func (s *slot) release(ctx context.Context) error {
	s.mu.Lock()
	chain, leased := s.chain, s.leased
	s.leased = false
	s.mu.Unlock()
	if !leased {
		return nil
	}
	return s.leases.ReleaseLease(ctx, leaseName(chain), s.holder)
}
