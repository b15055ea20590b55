package evidence

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/internal/randid"
	"github.com/portvakt/portvakt/keys"
	"github.com/portvakt/portvakt/storage"
)

const (
	// keyAlgorithm is the one algorithm of evidence keys: small signatures and
	// certificates, and verifiable with any JOSE library for decades.
	keyAlgorithm = jose.ES256
	// keyLease keeps evidence key generation to one broker process at a time.
	keyLease = "evidence-keys"
	// keyLeaseTTL bounds how long a crashed holder blocks the others.
	keyLeaseTTL = 30 * time.Second
	// keyLeasePoll is how often a process waiting for the lease looks again.
	keyLeasePoll = 50 * time.Millisecond
	// keyLeaseWait gives up waiting once even a crashed holder's lease is gone.
	keyLeaseWait = 2 * keyLeaseTTL
	// keyGeneration is the storage generation bumped by every key change.
	keyGeneration = "evidence_keys"
	// keyRecheck is how often Issue looks for a rotation by another process.
	// Signing with the retired key meanwhile is harmless: it stays published.
	keyRecheck = 5 * time.Second
	// attestationType is the JWS typ of an attestation (RFC 8725 §3.11).
	attestationType = "sign-evidence+jwt"
)

// ErrNoKey means no current evidence key could be loaded.
var ErrNoKey = errors.New("evidence: no current evidence key")

// keyRing is the evidence keys in memory: the current one ready to sign and
// every key, retired ones too, to publish. Replaced whole on reload.
type keyRing struct {
	generation int64
	current    *currentKey
	published  []jose.JSONWebKey
}

// currentKey signs attestations.
type currentKey struct {
	id     string
	signer jose.Signer
}

// keyStore is what the service keeps of its keys.
type keyStore struct {
	store  storage.Storage
	sealer *keys.Sealer
	issuer string
	holder string
	now    func() time.Time
	log    *slog.Logger

	ring      atomic.Pointer[keyRing]
	checkedAt atomic.Int64 // unix nanoseconds of the last generation check (real time)
	reloadMu  sync.Mutex   // reloads take turns, so an older read never wins
	rotateMu  sync.Mutex   // the lease admits its holder again: keep this process's goroutines apart
}

// ensure loads the keys and, when there is no current key, makes one under the
// lease; a process that finds another one holding it waits for its key.
func (k *keyStore) ensure(ctx context.Context) error {
	if err := k.reload(ctx); err != nil {
		return err
	}
	if k.ring.Load().current != nil {
		return nil
	}
	if err := k.generateUnderLease(ctx, false); err != nil {
		return err
	}
	if k.ring.Load().current == nil {
		return errors.New("no evidence key opens under the master key")
	}
	return nil
}

// rotate retires the current key and makes a new one.
func (k *keyStore) rotate(ctx context.Context) error {
	return k.generateUnderLease(ctx, true)
}

// signingKey returns the current key, reloading first when another process may
// have rotated since the last look.
func (k *keyStore) signingKey(ctx context.Context) (*currentKey, error) {
	if time.Since(time.Unix(0, k.checkedAt.Load())) > keyRecheck {
		if err := k.refresh(ctx); err != nil {
			return nil, err
		}
	}
	r := k.ring.Load()
	if r == nil || r.current == nil {
		return nil, ErrNoKey
	}
	return r.current, nil
}

// keySet returns every key, reloading when the generation moved: one small
// query, so a key another process just made is published at once.
func (k *keyStore) keySet(ctx context.Context) (jose.JSONWebKeySet, error) {
	if err := k.refresh(ctx); err != nil {
		return jose.JSONWebKeySet{}, err
	}
	r := k.ring.Load()
	if r == nil {
		return jose.JSONWebKeySet{}, ErrNoKey
	}
	return jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey(nil), r.published...)}, nil
}

// refresh reloads the keys if their generation changed since the last load.
func (k *keyStore) refresh(ctx context.Context) error {
	g, err := k.store.Generation(ctx, keyGeneration)
	if err != nil {
		return fmt.Errorf("evidence keys generation: %w", err)
	}
	k.checkedAt.Store(time.Now().UnixNano())
	if r := k.ring.Load(); r != nil && r.generation == g {
		return nil
	}
	return k.reload(ctx)
}

// reload reads every key and opens the current one.
func (k *keyStore) reload(ctx context.Context) error {
	k.reloadMu.Lock()
	defer k.reloadMu.Unlock()
	// The generation is read first: a change after it makes the next refresh
	// reload again rather than be missed.
	g, err := k.store.Generation(ctx, keyGeneration)
	if err != nil {
		return fmt.Errorf("evidence keys generation: %w", err)
	}
	records, err := k.store.ListEvidenceKeys(ctx)
	if err != nil {
		return fmt.Errorf("list evidence keys: %w", err)
	}
	r := &keyRing{generation: g}
	for _, rec := range records {
		// Every key, retired ones too, is published only once its sealed
		// private key opens under the master key and is the published key's:
		// a key someone wrote into the table without the master key would
		// otherwise be published, and attest whatever they signed with it.
		public, err := decodePublicKey(rec)
		var key *currentKey
		if err == nil {
			key, err = k.openKey(rec, public)
		}
		if err != nil {
			k.log.ErrorContext(ctx, "evidence key not published: it is not sealed under the master key", "kid", rec.ID, "error", err)
			continue
		}
		r.published = append(r.published, public)
		if r.current == nil && rec.RetiredAt.IsZero() {
			r.current = key
		}
	}
	k.ring.Store(r)
	k.checkedAt.Store(time.Now().UnixNano())
	return nil
}

// generateUnderLease takes the lease and, on a fresh read of the keys, makes a
// new current key if always or if there is none, retiring the current ones in
// the same fenced write. Without the lease it polls; a process that only needs a
// key to exist stops waiting once another process made one.
func (k *keyStore) generateUnderLease(ctx context.Context, always bool) error {
	k.rotateMu.Lock()
	defer k.rotateMu.Unlock()
	deadline := time.Now().Add(keyLeaseWait) // real time: it bounds an actual wait
	for {
		lease, err := k.store.AcquireLease(ctx, keyLease, k.holder, keyLeaseTTL)
		if err != nil {
			return fmt.Errorf("acquire lease: %w", err)
		}
		if lease.Held {
			return k.generateHolding(ctx, lease, always)
		}
		if !always {
			if err := k.reload(ctx); err != nil {
				return err
			}
			if k.ring.Load().current != nil {
				return nil
			}
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("lease %q still held after %s", keyLease, keyLeaseWait)
		}
		timer := time.NewTimer(keyLeasePoll)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("wait for lease: %w", ctx.Err())
		case <-timer.C:
		}
	}
}

func (k *keyStore) generateHolding(ctx context.Context, lease storage.Lease, always bool) error {
	defer func() {
		// Release even when ctx is cancelled, so others need not wait out the TTL.
		releaseCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = k.store.ReleaseLease(releaseCtx, keyLease, k.holder)
	}()
	records, err := k.store.ListEvidenceKeys(ctx)
	if err != nil {
		return fmt.Errorf("list evidence keys: %w", err)
	}
	var current []string
	for _, rec := range records {
		if rec.RetiredAt.IsZero() {
			current = append(current, rec.ID)
		}
	}
	// A current row whose key does not open (see reload) is no current key:
	// a new one replaces it.
	if err := k.reload(ctx); err != nil {
		return err
	}
	if always || k.ring.Load().current == nil {
		now := k.now()
		rec, err := newKeyRecord(k.sealer, k.issuer, now)
		if err != nil {
			return err
		}
		if err := k.store.RotateEvidenceKey(ctx, lease, rec, current, now); err != nil {
			return fmt.Errorf("store evidence key: %w", err)
		}
	}
	return k.reload(ctx)
}

// newKeyRecord makes an ES256 key with a self-signed certificate and returns
// it as storage keeps it: the private key PKCS#8 sealed with the kid as
// associated data, the public JWK with the certificate as x5c.
func newKeyRecord(sealer *keys.Sealer, issuer string, now time.Time) (storage.EvidenceKey, error) {
	private, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return storage.EvidenceKey{}, fmt.Errorf("generate evidence key: %w", err)
	}
	kid := randid.New()
	cert, err := selfSigned(private, issuer, now)
	if err != nil {
		return storage.EvidenceKey{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(private)
	if err != nil {
		return storage.EvidenceKey{}, fmt.Errorf("marshal evidence key: %w", err)
	}
	sealed, err := sealer.Seal(der, keyAD(kid))
	if err != nil {
		return storage.EvidenceKey{}, fmt.Errorf("seal evidence key: %w", err)
	}
	jwk := jose.JSONWebKey{
		Key: private.Public(), KeyID: kid, Algorithm: string(keyAlgorithm), Use: "sig",
		Certificates: []*x509.Certificate{cert},
	}
	public, err := jwk.MarshalJSON()
	if err != nil {
		return storage.EvidenceKey{}, fmt.Errorf("marshal evidence public key: %w", err)
	}
	return storage.EvidenceKey{
		ID: kid, Algorithm: string(keyAlgorithm), PrivateKey: sealed, PublicJWK: public, CreatedAt: now,
	}, nil
}

// keyAD binds a sealed private key to its row; the prefix keeps it apart from
// any other blob sealed under the master key with the same bytes.
func keyAD(kid string) []byte { return []byte("evidence-key:" + kid) }

// certNotAfter is RFC 5280 §4.1.2.5's "no well-defined expiration date": the
// key verifies evidence for as long as the evidence is kept.
var certNotAfter = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// selfSigned is the key's certificate: it names the broker that holds the key,
// so a verifier holding a package can tell whose key it is, and carries the
// key in a form any X.509 tool reads.
func selfSigned(private *ecdsa.PrivateKey, issuer string, now time.Time) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("certificate serial: %w", err)
	}
	name := pkix.Name{CommonName: issuer + " evidence key"}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               name,
		Issuer:                name,
		NotBefore:             now.Add(-time.Minute).UTC(),
		NotAfter:              certNotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, private.Public(), private)
	if err != nil {
		return nil, fmt.Errorf("create evidence key certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// decodePublicKey reads a record's public JWK and checks it agrees with the
// record and carries its certificate.
func decodePublicKey(rec storage.EvidenceKey) (jose.JSONWebKey, error) {
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(rec.PublicJWK); err != nil {
		return jose.JSONWebKey{}, fmt.Errorf("evidence key %s: parse public jwk: %w", rec.ID, err)
	}
	if err := checkKey(jwk); err != nil {
		return jose.JSONWebKey{}, fmt.Errorf("evidence key %s: %w", rec.ID, err)
	}
	if jwk.KeyID != rec.ID || rec.Algorithm != string(keyAlgorithm) {
		return jose.JSONWebKey{}, fmt.Errorf("evidence key %s: public jwk does not match its record", rec.ID)
	}
	return jwk, nil
}

// checkKey accepts a public ES256 JWK whose x5c leaf certifies the same key.
func checkKey(jwk jose.JSONWebKey) error {
	public, ok := jwk.Key.(*ecdsa.PublicKey)
	if !ok || !jwk.IsPublic() || public.Curve != elliptic.P256() {
		return fmt.Errorf("not a public P-256 key")
	}
	if jwk.Algorithm != string(keyAlgorithm) {
		return fmt.Errorf("alg %q, want %s", jwk.Algorithm, keyAlgorithm)
	}
	if len(jwk.Certificates) == 0 {
		return fmt.Errorf("no x5c certificate")
	}
	if !public.Equal(jwk.Certificates[0].PublicKey) {
		return fmt.Errorf("x5c certificate is not of the key")
	}
	return nil
}

// openKey opens a sealed private key and checks it is the published key's.
func (k *keyStore) openKey(rec storage.EvidenceKey, public jose.JSONWebKey) (*currentKey, error) {
	der, err := k.sealer.Open(rec.PrivateKey, keyAD(rec.ID))
	if err != nil {
		return nil, fmt.Errorf("evidence key %s: %w", rec.ID, err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("evidence key %s: parse private key: %w", rec.ID, err)
	}
	private, ok := parsed.(*ecdsa.PrivateKey)
	if !ok || !private.PublicKey.Equal(public.Key) {
		return nil, fmt.Errorf("evidence key %s: private key does not match the published key", rec.ID)
	}
	x5c := make([]string, len(public.Certificates))
	for i, c := range public.Certificates {
		x5c[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	opts := (&jose.SignerOptions{}).WithType(attestationType).WithHeader("x5c", x5c)
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: keyAlgorithm,
		Key:       jose.JSONWebKey{Key: private, KeyID: rec.ID, Algorithm: string(keyAlgorithm)},
	}, opts)
	if err != nil {
		return nil, fmt.Errorf("evidence key %s: signer: %w", rec.ID, err)
	}
	return &currentKey{id: rec.ID, signer: signer}, nil
}
