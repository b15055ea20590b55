package evidence

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/keys"
	"github.com/portvakt/portvakt/storage"
	"github.com/portvakt/portvakt/storage/sqlstore"
)

const (
	testIssuer = "https://broker.example"
	// testPersonalNumber is synthetic (valid check digit).
	testPersonalNumber = "195203142392"
)

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newClock() *clock { return &clock{now: time.Now().UTC().Truncate(time.Millisecond)} }

// openStore opens a migrated SQLite store in a file of the test's own.
func openStore(t testing.TB, file string) *sqlstore.Store {
	t.Helper()
	return openConfig(t, sqlstore.Config{Driver: sqlstore.DriverSQLite, DSN: file})
}

// openConfig opens and migrates a store.
func openConfig(t testing.TB, cfg sqlstore.Config) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func testSealer(t testing.TB) *keys.Sealer {
	t.Helper()
	s, err := keys.NewSealer(bytes.Repeat([]byte{7}, keys.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type fixture struct {
	store storage.Storage
	clock *clock
	svc   *Service
	file  string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	file := filepath.Join(t.TempDir(), "portvakt.db")
	f := &fixture{store: openStore(t, file), clock: newClock(), file: file}
	f.svc = f.service(t, f.store, "process-a")
	return f
}

// service is another broker process on the fixture's database.
func (f *fixture) service(t testing.TB, store storage.Storage, holder string) *Service {
	t.Helper()
	svc, err := New(context.Background(), Options{
		Store: store, Sealer: testSealer(t), Issuer: testIssuer, Now: f.clock.Now, Holder: holder,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return svc
}

// signRequest is a request with every part: markdown text, a document and
// non-visible data.
func signRequest() SignDetails {
	return SignDetails{
		Type:       SignType,
		Text:       "# Loan agreement\n\nI borrow *100 000 SEK*.",
		TextFormat: FormatMarkdown,
		DocumentDigests: []DocumentDigest{{
			Label: "Loan.pdf", HashAlg: "sha-256",
			Hash: base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xab}, 32)),
		}},
		NonVisibleData: base64.RawURLEncoding.EncodeToString([]byte("loan-4711")),
	}
}

// fakeBankIDSignature is what the fake eID "signs": the content it was sent.
func fakeBankIDSignature(visible, nonVisible string) string {
	return base64.StdEncoding.EncodeToString([]byte("signed|" + visible + "|" + nonVisible + "|" + testPersonalNumber))
}

// signedIdentity is the identity a connector returns for d, signed the way
// Content says.
func signedIdentity(t testing.TB, d SignDetails, at time.Time) connectors.Identity {
	t.Helper()
	c, err := Content(d)
	if err != nil {
		t.Fatal(err)
	}
	sig := &connectors.Signature{
		Operation:   "rp/v6.0/sign",
		SignedAt:    at,
		VisibleData: base64.StdEncoding.EncodeToString([]byte(c.Text)),
	}
	if c.Markdown {
		sig.VisibleDataFormat = "simpleMarkdownV1"
	}
	if len(c.NonVisibleData) > 0 {
		sig.NonVisibleData = base64.StdEncoding.EncodeToString(c.NonVisibleData)
	}
	sig.Native = map[string]string{
		NativeBankIDSignature: fakeBankIDSignature(sig.VisibleData, sig.NonVisibleData),
		NativeBankIDOCSP:      base64.StdEncoding.EncodeToString([]byte("ocsp good")),
	}
	return connectors.Identity{
		Connector: "se-bankid", Country: "SE", NationalID: testPersonalNumber, NationalIDType: "se-personnummer",
		Name: "Karl Karlsson", LoA: connectors.LoAHigh, Signature: sig,
	}
}

func issueInput(t testing.TB, clientID string, at time.Time) IssueInput {
	d := signRequest()
	return IssueInput{
		ClientID: clientID, Subject: "sub-" + clientID, Txn: "txn-1", ACR: "http://eidas.europa.eu/LoA/high",
		Details: d, Identity: signedIdentity(t, d, at),
	}
}

// fakeBankID stands in for the BankID verifier: it recomputes the fake
// signature over the evidence's content and signer.
type fakeBankID struct{ calls int }

func (f *fakeBankID) VerifyNative(ev *Evidence) error {
	f.calls++
	if ev.Signer.NationalID == nil || ev.Signer.NationalID.Value != testPersonalNumber {
		return errors.New("signer is not the one in the signature")
	}
	if ev.Native[NativeBankIDSignature] != fakeBankIDSignature(ev.VisibleData, ev.NonVisibleData) {
		return errors.New("XML signature does not verify")
	}
	return nil
}

// refusing is a native verifier that refuses everything.
type refusing struct{}

func (refusing) VerifyNative(*Evidence) error {
	return errors.New("OCSP response not signed by the responder")
}

// verifyAttestationUnchecked reads an attestation's kid and claims without
// verifying it.
func verifyAttestationUnchecked(jws string) (Claims, string, error) {
	parsed, err := jose.ParseSignedCompact(jws, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return Claims{}, "", err
	}
	var c Claims
	err = json.Unmarshal(parsed.UnsafePayloadWithoutVerification(), &c)
	return c, parsed.Signatures[0].Header.KeyID, err
}
