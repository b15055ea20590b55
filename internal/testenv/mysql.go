package testenv

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/portvakt/portvakt/internal/randid"
)

// MySQLDatabase creates an empty database of its own for the test (so parallel
// packages do not collide), drops it when the test ends, and returns its DSN.
// Without a reachable server it skips, or fails when CI=true.
func MySQLDatabase(t testing.TB) string {
	t.Helper()
	dsn := MySQLDSN()
	admin, err := mysqlAdmin(context.Background(), dsn)
	if err != nil {
		Missing(t, "MariaDB/MySQL is unreachable at %q (set PORTVAKT_MYSQL_DSN): %v", RedactDSN(dsn), err)
		return ""
	}
	name := "portvakt_test_" + randid.Hex(6)
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		t.Fatalf("create database: %v", errors.Join(err, admin.Close()))
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
		if err := admin.Close(); err != nil {
			t.Errorf("close admin connection: %v", err)
		}
	})
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("parse dsn: %v", err)
	}
	cfg.DBName = name
	return cfg.FormatDSN()
}

// RedactDSN hides the password of a DSN for messages.
func RedactDSN(dsn string) string {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return "(unparsable DSN)"
	}
	if cfg.Passwd != "" {
		cfg.Passwd = "xxx"
	}
	return cfg.FormatDSN()
}

func mysqlAdmin(ctx context.Context, dsn string) (*sql.DB, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	cfg.DBName = ""
	cfg.Timeout = 2 * time.Second
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}
