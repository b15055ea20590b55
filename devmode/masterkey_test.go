package devmode

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/internal/testenv"
	"github.com/portvakt/portvakt/keys"
)

// TestDevRestartOnMariaDBWithFreshDataDir is `docker compose down && up` without
// Docker: the database outlives the container, the data directory does not, and the
// master key comes from a source kept apart from both.
func TestDevRestartOnMariaDBWithFreshDataDir(t *testing.T) {
	key, err := keys.GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		keys func(t *testing.T) Options
	}{
		{"key file in its own directory", func(t *testing.T) Options {
			return Options{MasterKeyFile: filepath.Join(t.TempDir(), "master.key")}
		}},
		{"key from the environment", func(t *testing.T) Options {
			return Options{MasterKey: key, MasterKeySource: "environment variable PORTVAKT_MASTER_KEY"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.keys(t)
			o.DBDriver, o.DSN, o.AutoApprove = "mysql", testenv.MySQLDatabase(t), true

			o.Data = t.TempDir()
			first := startDevServerWith(t, o)
			kids := jwksKids(t, first.issuer)
			loginWithDemo(t, first.issuer)
			first.stop()

			o.Data = t.TempDir() // a new container
			second := startDevServerWith(t, o)
			if again := jwksKids(t, second.issuer); strings.Join(again, ",") != strings.Join(kids, ",") {
				t.Errorf("signing keys changed across the restart: %v, then %v", kids, again)
			}
			loginWithDemo(t, second.issuer)
		})
	}
}

// TestDevWrongMasterKeySaysWhatToDo starts a database under one key, then again
// with a fresh data directory and no key given: the new key cannot open the
// database, and the error says which key was used and how to recover.
func TestDevWrongMasterKeySaysWhatToDo(t *testing.T) {
	dsn := testenv.MySQLDatabase(t)
	keyFile := filepath.Join(t.TempDir(), "master.key")
	first := startDevServerWith(t, Options{Data: t.TempDir(), DBDriver: "mysql", DSN: dsn, MasterKeyFile: keyFile})
	first.stop()

	data := t.TempDir()
	_, err := startDev(t, Options{Data: data, DBDriver: "mysql", DSN: dsn})
	if !errors.Is(err, keys.ErrDecrypt) {
		t.Fatalf("start with another key: %v, want keys.ErrDecrypt", err)
	}
	generated := filepath.Join(data, "master.key")
	for _, want := range []string{
		"key file " + generated,      // which key source was used
		"made just now",              // and that it is new
		"sealed with another master", // what is wrong
		"PORTVAKT_MASTER_KEY",        // how to give the right one
		"--master-key-file",
		"drop the database", // how to start over in dev
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
	if _, err := os.Stat(generated); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the key that did not fit was left at %s (stat: %v)", generated, err)
	}
}

func startDevServerWith(t *testing.T, o Options) *devServer {
	t.Helper()
	d, err := startDev(t, o)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func startDev(t *testing.T, o Options) (*devServer, error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ctx, cancel := context.WithCancel(context.Background())
	env, err := Start(ctx, ln, o)
	if err != nil {
		cancel()
		return nil, err
	}
	d := &devServer{issuer: env.Issuer, env: env, cancel: cancel}
	t.Cleanup(d.stop)
	return d, nil
}

// loginWithDemo logs in with the demo client through a simulator and redeems the code.
func loginWithDemo(t *testing.T, issuer string) {
	t.Helper()
	redirect := issuer + "/demo/callback"
	verifier := oauth2.GenerateVerifier()
	cfg := oauth2.Config{ClientID: DemoClientID, ClientSecret: DemoClientSecret, RedirectURL: redirect,
		Endpoint: oauth2.Endpoint{AuthURL: issuer + "/authorize", TokenURL: issuer + "/oauth/token"},
		Scopes:   []string{"openid", "national_id"}}
	start := cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("acr_values", "urn:portvakt:eid:dk:mitid"))
	got := redirectsOnly(t, noFollow(t), start, redirect)
	tok, err := cfg.Exchange(context.Background(), got.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("redeem the code: %v (callback %v)", err, url.Values(got))
	}
	if idTokenClaims(t, tok)["national_id"] == nil {
		t.Error("no national_id in the ID token")
	}
}
