package mariadbtest_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"github.com/portvakt/portvakt/internal/mariadbtest"
	"github.com/portvakt/portvakt/internal/testenv"
)

func TestStopAndRestartKeepData(t *testing.T) {
	srv := mariadbtest.Start(t)
	dsn := srv.CreateDatabase("kept")
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	testenv.CloseAtEnd(t, db)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (v INT)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO t VALUES (42)"); err != nil {
		t.Fatal(err)
	}

	srv.Stop()
	if err := db.PingContext(ctx); err == nil {
		t.Fatal("the database still answers after Stop")
	}
	srv.Restart()
	var v int
	if err := db.QueryRowContext(ctx, "SELECT v FROM t").Scan(&v); err != nil || v != 42 {
		t.Fatalf("after a restart: %d, %v; want 42", v, err)
	}
}
