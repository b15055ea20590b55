package provider

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/zitadel/schema"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/provider/metrics"
	"github.com/portvakt/portvakt/storage"
)

// base is what the provider's parts share: configuration, storage, the client
// cache, keys and the clock. It holds no flow of its own.
type base struct {
	cfg     *config.Config
	issuer  string
	store   storage.Storage
	keys    KeyManager
	clients *clientCache
	logger  *slog.Logger
	now     func() time.Time
	secure  bool
	http    *http.Client
	proxies []*net.IPNet
	metrics *metrics.Metrics

	// codec seals login state; the login flow writes it, the code grant reads it.
	codec stateCodec
	// evidence issues signatures' evidence; nil when signing is not offered.
	evidence EvidenceService
	// subjectSecret derives pairwise subjects.
	subjectSecret []byte
	// dpopNonces, when set, require DPoP proofs to carry a nonce (dpopnonce.go).
	dpopNonces *dpopNonces

	jwksMu    sync.Mutex
	jwksCache map[string]cachedJWKS

	// What the broker uses of zitadel/oidc (oidclib.go).
	decoder *schema.Decoder
	ownKeys ownKeySet
}
