package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true).
func InCI() bool { return os.Getenv("CI") == "true" }

// Missing skips the test locally and fails it in CI.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf("CI=true, but "+format, args...)
	}
	t.Skipf(format, args...)
}

// Chromium returns the path of Chromium (or Chrome), or skips/fails the test.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("PORTVAKT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	Missing(t, "Chromium is not installed (install Debian's chromium, or set PORTVAKT_CHROMIUM); browser test not run")
	return ""
}

// ChromiumFlags are the flags the browser tests start Chromium with: headless, and
// nothing that reaches out to the network on its own.
func ChromiumFlags() []string {
	return []string{"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"}
}

// MySQLDSN is the DSN of the MariaDB/MySQL server tests use, without a database:
// PORTVAKT_MYSQL_DSN, or root without a password on 127.0.0.1:3306.
func MySQLDSN() string {
	if dsn := os.Getenv("PORTVAKT_MYSQL_DSN"); dsn != "" {
		return dsn
	}
	return "root@tcp(127.0.0.1:3306)/"
}
