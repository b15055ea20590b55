package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary files to Parse: it must never panic, and a
// configuration it accepts must validate.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`issuer: https://login.example.com
master_key: ${PORTVAKT_MASTER_KEY}
storage: {driver: sqlite, dsn: /var/lib/portvakt/portvakt.db}
clients:
  - id: app
    secret: ${APP_SECRET}
    redirect_uris: [https://app.example/callback]
    countries: [SE, NO]
    min_loa: substantial
`))
	f.Add([]byte("issuer: http://127.0.0.1:8080\nclients: [{id: a, jwks: {keys: [{kty: RSA}]}}]\n"))
	f.Add([]byte("connectors:\n  - {id: se-bankid, type: sebankid, config: {environment: test}}\n"))
	f.Add([]byte("tokens: {code_lifetime: 90s}\nlogin: {session_lifetime: -1h}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("issuer: $$literal ${}\n"))
	f.Add([]byte("\xff\xfe"))
	f.Add([]byte(""))
	for _, pattern := range []string{"../examples/*.yaml", "../examples/*.yml", "../examples/*/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, name := range files {
			if b, err := os.ReadFile(name); err == nil {
				f.Add(b)
			}
		}
	}
	env := map[string]string{
		"PORTVAKT_MASTER_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"APP_SECRET":          "app-secret-0123456789abcdef",
	}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := Parse(b, lookup)
		if err != nil {
			return
		}
		if problems := cfg.Validate(); len(problems) > 0 {
			t.Fatalf("Parse accepted a configuration that does not validate: %v", problems)
		}
	})
}
