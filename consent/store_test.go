package consent_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/portvakt/portvakt/consent"
	"github.com/portvakt/portvakt/internal/testenv"
	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/storage/sqlstore"
)

func TestRememberedCoversOnlyTheClaimsConsentedTo(t *testing.T) {
	db, err := sqlstore.Open(t.Context(), sqlstore.Config{Driver: sqlstore.DriverSQLite, DSN: filepath.Join(t.TempDir(), "c.db")})
	if err != nil {
		t.Fatal(err)
	}
	testenv.CloseAtEnd(t, db)
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	s := consent.New(db, func() time.Time { clock = clock.Add(time.Second); return clock })
	ctx := t.Context()
	if err := s.Record(ctx, provider.ConsentDecision{ClientID: "c", Subject: "s", Claims: []string{"name", "birthdate"}, Granted: true, Remember: true}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name           string
		client, sub    string
		claims         []string
		wantRemembered bool
	}{
		{"same claims", "c", "s", []string{"name", "birthdate"}, true},
		{"fewer claims", "c", "s", []string{"name"}, true},
		{"a new claim", "c", "s", []string{"name", "national_id"}, false},
		{"another person", "c", "t", []string{"name"}, false},
		{"another client", "d", "s", []string{"name"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Remembered(ctx, tc.client, tc.sub, tc.claims, time.Time{})
			if err != nil || got != tc.wantRemembered {
				t.Errorf("Remembered = %v, %v; want %v", got, err, tc.wantRemembered)
			}
		})
	}
	if got, _ := s.Remembered(ctx, "c", "s", []string{"name"}, clock.Add(time.Hour)); got {
		t.Error("a consent given before the client was created is remembered for it")
	}
	had, err := s.Withdraw(ctx, "c", "s", "cli:root")
	if err != nil || !had {
		t.Fatalf("Withdraw = %v, %v", had, err)
	}
	if got, _ := s.Remembered(ctx, "c", "s", []string{"name"}, time.Time{}); got {
		t.Error("still remembered after withdrawal")
	}
	log, err := s.Log(ctx, "c", "s", 10)
	if err != nil || len(log) != 2 || log[0].Decision != "withdrawn" || log[0].Actor != "cli:root" {
		t.Errorf("log = %+v, %v", log, err)
	}
}
