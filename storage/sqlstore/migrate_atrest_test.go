package sqlstore_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
	"github.com/portvakt/portvakt/storage/sqlstore"
)

// testMigrateErasesClearTokenClaims: migration 0008 erases token claims
// written in clear before claims were sealed, keeps sealed ones, and leaves the
// audit chain to be keyed at start.
func testMigrateErasesClearTokenClaims(t *testing.T, cfg sqlstore.Config) {
	s := openMigrated(t, cfg)
	exp := time.Now().Add(time.Hour)
	for id, claims := range map[string]string{
		"clear":  `{"national_id":"198507232398","name":"Alva Simulantsson"}`,
		"sealed": `"AQIDBA"`,
	} {
		if err := s.CreateToken(t.Context(), storage.Token{ID: id, ClientID: "rp", Subject: "sub", Claims: []byte(claims), ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
	}
	// Back to the schema before 0008, with the clear row in it.
	for _, stmt := range []string{
		"ALTER TABLE audit_chain DROP COLUMN keyed_from", "ALTER TABLE audit_chain DROP COLUMN mac",
		"DELETE FROM schema_migrations WHERE version = 8",
	} {
		if _, err := s.DB().ExecContext(t.Context(), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	claims := func(id string) sql.NullString {
		var c sql.NullString
		if err := s.DB().QueryRowContext(t.Context(), "SELECT claims FROM tokens WHERE id = ?", id).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := claims("clear"); c.Valid {
		t.Errorf("claims written in clear survived the migration: %s", c.String)
	}
	if c := claims("sealed"); c.String != `"AQIDBA"` {
		t.Errorf("sealed claims became %q", c.String)
	}
	head, err := s.AuditHead(t.Context(), 0)
	if err != nil || head.KeyedFrom != 0 || head.MAC != "" {
		t.Errorf("audit head after the migration: %+v, %v; want it not keyed yet", head, err)
	}
}
