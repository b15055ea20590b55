package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/internal/testenv"
	"github.com/portvakt/portvakt/storage"
	"github.com/portvakt/portvakt/storage/sqlstore"
)

func TestIssueFetch(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	in := issueInput(t, "loan-app", f.clock.Now())
	got, err := f.svc.Issue(ctx, in)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	ev := got.Evidence
	if ev == nil || len(ev.ID) < 20 || ev.ID[:4] != "sev_" {
		t.Fatalf("Issue evidence = %+v, want an sev_ id", ev)
	}
	if ev.Provider != "se-bankid" || ev.Operation != "rp/v6.0/sign" || ev.Signer.Sub != in.Subject ||
		ev.Signer.NationalID == nil || ev.Signer.NationalID.Value != testPersonalNumber || ev.Attestation == "" {
		t.Errorf("Issue evidence = %+v", ev)
	}
	if got.Text != in.Details.Text || !reflect.DeepEqual(got.DocumentDigests, in.Details.DocumentDigests) {
		t.Errorf("Issue changed the request: %+v", got)
	}

	fetched, err := f.svc.Fetch(ctx, "loan-app", ev.ID)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if !reflect.DeepEqual(fetched, got) {
		t.Errorf("Fetch = %+v\nwant %+v", fetched, got)
	}
	// Another process on the same database reads it too.
	other := f.service(t, openStore(t, f.file), "process-b")
	if _, err := other.Fetch(ctx, "loan-app", ev.ID); err != nil {
		t.Errorf("Fetch by another process: %v", err)
	}
}

// TestFetchRefused: every evidence a client may not have looks the same to it.
func TestFetchRefused(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	issued, err := f.svc.Issue(ctx, issueInput(t, "loan-app", f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	id := issued.Evidence.ID
	for _, tc := range []struct{ name, client, id string }{
		{"another client", "evil-app", id},
		{"unknown id", "loan-app", "sev_" + "AAAAAAAAAAAAAAAAAAAAAA"},
		{"not an evidence id", "loan-app", "tok_x"},
		{"oversized id", "loan-app", "sev_" + string(bytes.Repeat([]byte{'a'}, 5000))},
		{"no client", "", id},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.svc.Fetch(ctx, tc.client, tc.id); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("Fetch = %v, want ErrNotFound", err)
			}
		})
	}
}

// TestRetention: evidence is unreadable from its expiry, before the purge,
// and the purge reports it once.
func TestRetention(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	svc, err := New(ctx, Options{Store: f.store, Sealer: testSealer(t), Issuer: testIssuer, Now: f.clock.Now, Retention: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	issued, err := svc.Issue(ctx, issueInput(t, "loan-app", f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	id := issued.Evidence.ID
	if purged, err := svc.Purge(ctx); err != nil || len(purged) != 0 {
		t.Fatalf("Purge before expiry = %v, %v; want nothing", purged, err)
	}
	f.clock.Advance(time.Hour)
	if _, err := svc.Fetch(ctx, "loan-app", id); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Fetch at expiry = %v, want ErrNotFound", err)
	}
	f.clock.Advance(time.Millisecond)
	purged, err := svc.Purge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(purged) != 1 || purged[0].ID != id || purged[0].ClientID != "loan-app" || purged[0].CreatedAt.IsZero() {
		t.Errorf("Purge = %+v, want %s of loan-app", purged, id)
	}
	if again, _ := svc.Purge(ctx); len(again) != 0 {
		t.Errorf("Purge again = %+v", again)
	}
}

func TestDefaultRetention(t *testing.T) {
	f := newFixture(t)
	if f.svc.retention != 87600*time.Hour {
		t.Errorf("retention = %s, want 87600h", f.svc.retention)
	}
}

// TestSealedAtRest: a database reader sees neither the text nor the signer,
// and a sealed blob moved to another row does not open.
func TestSealedAtRest(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	a, err := f.svc.Issue(ctx, issueInput(t, "loan-app", f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.svc.Issue(ctx, issueInput(t, "loan-app", f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := f.store.GetEvidence(ctx, a.Evidence.ID, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"Loan agreement", testPersonalNumber, "Karl", a.Evidence.Attestation[:20]} {
		if bytes.Contains(rec.Data, []byte(secret)) {
			t.Errorf("stored row holds %q in clear", secret)
		}
	}
	db := openStore(t, f.file).DB()
	if _, err := db.ExecContext(ctx, "UPDATE evidence SET data = ? WHERE id = ?", rec.Data, b.Evidence.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Fetch(ctx, "loan-app", b.Evidence.ID); err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Fetch of a swapped blob = %v, want a decryption error", err)
	}
	// A database writer hands the evidence to another client: it does not open.
	if _, err := db.ExecContext(ctx, "UPDATE evidence SET client_id = 'other-app' WHERE id = ?", a.Evidence.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Fetch(ctx, "other-app", a.Evidence.ID); err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Fetch by the client a row was moved to = %v, want a decryption error", err)
	}
}

// TestIssueRefusesMismatchedContent: evidence that could never verify is not
// issued.
func TestIssueRefusesMismatchedContent(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name   string
		change func(*IssueInput)
	}{
		{"other text signed", func(in *IssueInput) { in.Details.Text = "Something else" }},
		{"format lost", func(in *IssueInput) { in.Identity.Signature.VisibleDataFormat = "" }},
		{"non-visible data lost", func(in *IssueInput) { in.Identity.Signature.NonVisibleData = "" }},
		{"no signature", func(in *IssueInput) { in.Identity.Signature = nil }},
		{"no native signature", func(in *IssueInput) { in.Identity.Signature.Native = nil }},
		{"unknown native artefact", func(in *IssueInput) { in.Identity.Signature.Native["mitid_token"] = "x" }},
		{"artefacts of two eIDs", func(in *IssueInput) { in.Identity.Signature.Native[NativeFrejaDetails] = "x.y.z" }},
		{"wrong type", func(in *IssueInput) { in.Details.Type = "payment_initiation" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := issueInput(t, "loan-app", f.clock.Now())
			tc.change(&in)
			if _, err := f.svc.Issue(t.Context(), in); err == nil {
				t.Error("Issue succeeded")
			}
		})
	}
}

// TestKeysOnePerCluster: processes starting at once on one database make
// exactly one key, and each issues evidence the others fetch.
func TestKeysOnePerCluster(t *testing.T) {
	for _, backend := range []struct {
		name string
		cfg  func(t *testing.T) sqlstore.Config
	}{
		{"SQLite", func(t *testing.T) sqlstore.Config {
			return sqlstore.Config{Driver: sqlstore.DriverSQLite, DSN: t.TempDir() + "/portvakt.db"}
		}},
		{"MariaDB", func(t *testing.T) sqlstore.Config {
			return sqlstore.Config{Driver: sqlstore.DriverMySQL, DSN: testenv.MySQLDatabase(t)}
		}},
	} {
		t.Run(backend.name, func(t *testing.T) {
			cfg := backend.cfg(t)
			clk := newClock()
			const processes = 4
			stores := make([]storage.Storage, processes)
			for i := range stores {
				stores[i] = openConfig(t, cfg)
			}
			var wg sync.WaitGroup
			svcs := make([]*Service, processes)
			errs := make([]error, processes)
			for i := range processes {
				wg.Go(func() {
					svcs[i], errs[i] = New(t.Context(), Options{Store: stores[i], Sealer: testSealer(t), Issuer: testIssuer,
						Now: clk.Now, Holder: fmt.Sprintf("process-%d", i)})
				})
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
			}
			keys, err := stores[0].ListEvidenceKeys(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(keys) != 1 {
				t.Errorf("%d evidence keys after %d processes started, want 1", len(keys), processes)
			}
			for i, svc := range svcs {
				issued, err := svc.Issue(t.Context(), issueInput(t, "loan-app", clk.Now()))
				if err != nil {
					t.Fatalf("Issue by process %d: %v", i, err)
				}
				if _, err := svcs[(i+1)%processes].Fetch(t.Context(), "loan-app", issued.Evidence.ID); err != nil {
					t.Errorf("Fetch by process %d of evidence from process %d: %v", (i+1)%processes, i, err)
				}
			}
		})
	}
}

// TestRotate: a rotation retires the key, which stays published and keeps
// verifying what it signed; another process publishes the new key at once
// and signs with it after its next check.
func TestRotate(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	other := f.service(t, openStore(t, f.file), "process-b")
	before, err := other.Issue(ctx, issueInput(t, "loan-app", f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	old := f.svc.keys.ring.Load().current.id
	if err := f.svc.Rotate(ctx); err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	current := f.svc.keys.ring.Load().current.id
	if current == old {
		t.Fatal("Rotate kept the key")
	}
	set, err := other.KeySet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 2 || len(set.Key(old)) != 1 || len(set.Key(current)) != 1 {
		t.Fatalf("KeySet of another process after a rotation = %d keys, want the old and new", len(set.Keys))
	}
	for _, k := range set.Keys {
		if len(k.Certificates) != 1 || k.Certificates[0].Subject.CommonName != testIssuer+" evidence key" {
			t.Errorf("key %s certificate = %v", k.KeyID, k.Certificates)
		}
	}
	pkg, _ := json.Marshal(before)
	if _, err := Verify(pkg, VerifyOptions{Keys: set, Issuer: testIssuer, BankID: &fakeBankID{}}); err != nil {
		t.Errorf("evidence of the retired key: %v", err)
	}
	other.keys.checkedAt.Store(0) // as after keyRecheck has passed
	after, err := other.Issue(ctx, issueInput(t, "loan-app", f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if kid := attestationKid(t, after.Evidence.Attestation); kid != current {
		t.Errorf("another process signs with %s after its check, want the new key %s", kid, current)
	}
}

func attestationKid(t *testing.T, jws string) string {
	t.Helper()
	claims, kid, err := verifyAttestationUnchecked(jws)
	if err != nil {
		t.Fatal(err)
	}
	_ = claims
	return kid
}

// TestKeySealedWithItsID: a key is published and signs only when its sealed
// private key opens under the master key, bound to its id, and is the
// published key's. A database writer without the master key can neither move
// a sealed blob to another key's row nor add a key of their own: the row is
// left out of the published set, so nothing signed with it verifies.
func TestKeySealedWithItsID(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	if err := f.svc.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	moved := f.svc.keys.ring.Load().current.id
	db := openStore(t, f.file).DB()
	if _, err := db.ExecContext(ctx,
		"UPDATE evidence_keys SET private_key = (SELECT private_key FROM evidence_keys WHERE retired_at IS NOT NULL) WHERE retired_at IS NULL"); err != nil {
		t.Fatal(err)
	}
	// An attacker's own key, published as a retired one, its "sealed" key junk.
	rogue, err := newKeyRecord(testSealer(t), testIssuer, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx,
		"INSERT INTO evidence_keys (id, algorithm, private_key, public_jwk, created_at, retired_at) SELECT ?, algorithm, ?, ?, created_at, created_at FROM evidence_keys LIMIT 1",
		rogue.ID, []byte("not sealed under the master key"), string(rogue.PublicJWK)); err != nil {
		t.Fatal(err)
	}
	svc, err := New(ctx, Options{Store: openStore(t, f.file), Sealer: testSealer(t), Issuer: testIssuer})
	if err != nil {
		t.Fatal(err)
	}
	set, err := svc.KeySet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, kid := range []string{moved, rogue.ID} {
		if len(set.Key(kid)) != 0 {
			t.Errorf("key %s is published without a private key sealed for it", kid)
		}
	}
	if current := svc.keys.ring.Load().current; current == nil || current.id == moved || current.id == rogue.ID {
		t.Errorf("the current key is %v, want a new one", current)
	}
}

// BenchmarkIssue is the cost of one signature's evidence: attest (one ES256
// signature), seal, and store it in SQLite.
func BenchmarkIssue(b *testing.B) {
	f := newFixture(b)
	in := issueInput(b, "loan-app", f.clock.Now())
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.svc.Issue(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestStoredSize logs what one evidence row stores, with native artefacts of
// BankID's usual sizes (an XML signature with its chain ~12 kB base64, an
// OCSP response ~2.5 kB).
func TestStoredSize(t *testing.T) {
	f := newFixture(t)
	in := issueInput(t, "loan-app", f.clock.Now())
	in.Identity.Signature.Native[NativeBankIDSignature] = strings.Repeat("PD94", 3000)
	in.Identity.Signature.Native[NativeBankIDOCSP] = strings.Repeat("MIIH", 625)
	issued, err := f.svc.Issue(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := f.store.GetEvidence(t.Context(), issued.Evidence.ID, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := json.Marshal(issued)
	t.Logf("sealed evidence %d bytes (entry JSON %d, attestation %d)", len(rec.Data), len(plain), len(issued.Evidence.Attestation))
	if len(rec.Data) > len(plain)+64 {
		t.Errorf("sealing added %d bytes", len(rec.Data)-len(plain))
	}
}
