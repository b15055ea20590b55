package sebankid_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/sebankid"
	"github.com/portvakt/portvakt/connectors/sebankid/sim"
)

func TestConfigFromJSONWithFiles(t *testing.T) {
	e := newEnv(t, sim.Options{AutoApprove: true})
	dir := t.TempDir()
	certPEM, keyPEM, err := e.sim.IssueClientCert("File relying party")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p12 := pkcs12File(t, certPEM, keyPEM, "correct horse")
	tests := map[string]map[string]any{
		"pem files": {"cert_file": write("rp.crt", certPEM), "key_file": write("rp.key", keyPEM)},
		"pkcs12":    {"pkcs12_file": write("rp.p12", p12), "pkcs12_password": "correct horse"},
	}
	for name, cert := range tests {
		t.Run(name, func(t *testing.T) {
			raw := map[string]any{
				"base_url":             e.srv.URL + sim.APIPath,
				"ca_file":              write("ca.pem", e.sim.CAPEM()),
				"request_timeout":      "5s",
				"certificate_policies": []string{"1.2.3.4.25"},
			}
			for k, v := range cert {
				raw[k] = v
			}
			data, _ := json.Marshal(raw)
			reg := connectors.Registry{{Name: "sebankid", NewConfig: func() connectors.Config { return &sebankid.Config{} }}}
			c, err := reg.Open(context.Background(), "sebankid", "se-bankid", data, connectors.Deps{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			oc := c.(connectors.OrderConnector)
			order, err := oc.Start(context.Background(), loginRequest(""))
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			progress, err := oc.Poll(context.Background(), order)
			if err != nil || progress.Status != connectors.StatusComplete {
				t.Fatalf("Poll = %+v, %v", progress, err)
			}
			if info := c.Info(); info.ID != "se-bankid" || !slices.Equal(info.Countries, []string{"SE"}) || info.Methods[0].ID != "other-device" || info.Methods[1].ID != "same-device" {
				t.Errorf("Info = %+v", info)
			}
		})
	}
}

func pkcs12File(t *testing.T, certPEM, keyPEM []byte, password string) []byte {
	t.Helper()
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(certPEM)
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	data, err := pkcs12.Modern.Encode(pair.PrivateKey, leaf, nil, password)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestConfigErrors(t *testing.T) {
	s, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, _ := s.IssueClientCert("rp")
	good := sebankid.Config{Environment: "test", CAPEM: string(s.CAPEM()), CertPEM: string(certPEM), KeyPEM: string(keyPEM)}
	tests := []struct {
		name   string
		change func(*sebankid.Config)
		want   string
	}{
		{"no environment", func(c *sebankid.Config) { c.Environment = "" }, "environment"},
		{"unknown environment", func(c *sebankid.Config) { c.Environment = "staging" }, "staging"},
		{"no ca", func(c *sebankid.Config) { c.CAPEM = "" }, "ca_file or ca_pem"},
		{"no client certificate", func(c *sebankid.Config) { c.CertPEM, c.KeyPEM = "", "" }, "client certificate"},
		{"two client certificates", func(c *sebankid.Config) { c.PKCS12File = "rp.p12" }, "exactly one"},
		{"plain http", func(c *sebankid.Config) { c.BaseURL = "http://127.0.0.1/rp/v6.0/" }, "https"},
		{"bad template", func(c *sebankid.Config) { c.UserVisibleData = "{{.Nope" }, "template"},
		{"two signing roots", func(c *sebankid.Config) {
			c.SigningRootsPEM, c.SigningRootsFile = string(s.SigningRootPEM()), "roots.pem"
		}, "signing_roots_file or signing_roots_pem"},
		{"signing roots not pem", func(c *sebankid.Config) { c.SigningRootsPEM = "roots" }, "signing roots"},
		{"signing roots file missing", func(c *sebankid.Config) { c.SigningRootsFile = filepath.Join(t.TempDir(), "none.pem") }, "signing_roots_file"},
		{"wrong pkcs12 password", func(c *sebankid.Config) {
			c.CertPEM, c.KeyPEM = "", ""
			p := filepath.Join(t.TempDir(), "rp.p12")
			_ = os.WriteFile(p, pkcs12File(t, certPEM, keyPEM, "right"), 0o600)
			c.PKCS12File, c.PKCS12Password = p, "wrong"
		}, "pkcs12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			_, err := cfg.Open(context.Background(), "se-bankid", connectors.Deps{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open: %v, want an error about %q", err, tt.want)
			}
		})
	}
	if _, err := good.Open(context.Background(), "se-bankid", connectors.Deps{}); err != nil {
		t.Errorf("Open of a good config: %v", err)
	}
}

func TestTrustFromDepsTLSClientConfig(t *testing.T) {
	e := newEnv(t, sim.Options{AutoApprove: true})
	pair, err := tls.X509KeyPair([]byte(e.cfg.CertPEM), []byte(e.cfg.KeyPEM))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(e.sim.CAPEM())
	cfg := &sebankid.Config{BaseURL: e.cfg.BaseURL}
	c, err := cfg.Open(context.Background(), "se-bankid", connectors.Deps{
		TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pair}},
		BaseURL:         "https://id.example.test",
	})
	if err != nil {
		t.Fatalf("Open with trust material from Deps: %v", err)
	}
	if _, err := c.(connectors.OrderConnector).Start(context.Background(), loginRequest("")); err != nil {
		t.Fatalf("Start: %v", err)
	}
	var body struct {
		Web struct {
			ReferringDomain string `json:"referringDomain"`
		} `json:"web"`
	}
	_ = json.Unmarshal(e.sim.RequestsTo("auth")[0].Body, &body)
	if body.Web.ReferringDomain != "id.example.test" {
		t.Errorf("referringDomain = %q, want the broker's host", body.Web.ReferringDomain)
	}
}

// The example configuration's BankID entry has only keys the connector knows,
// signing roots among them.
func TestExampleConfigKeys(t *testing.T) {
	raw, err := os.ReadFile("../../examples/portvakt.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Connectors []struct {
			Type   string         `yaml:"type"`
			Config map[string]any `yaml:"config"`
		} `yaml:"connectors"`
	}
	if err := yaml.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range file.Connectors {
		if c.Type != "sebankid" {
			continue
		}
		found = true
		b, _ := json.Marshal(c.Config)
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		var cfg sebankid.Config
		if err := dec.Decode(&cfg); err != nil {
			t.Errorf("example sebankid config: %v", err)
		}
		if cfg.Environment != "production" || cfg.SigningRootsFile == "" {
			t.Errorf("example sebankid config = %+v", cfg)
		}
	}
	if !found {
		t.Error("examples/portvakt.yaml has no sebankid connector")
	}
}

// TestSigningRootsFromFile: signing roots may come from a file, as in
// production, and make the connector a Signer.
func TestSigningRootsFromFile(t *testing.T) {
	e := newEnv(t, sim.Options{})
	path := filepath.Join(t.TempDir(), "signing-roots.pem")
	if err := os.WriteFile(path, e.sim.SigningRootPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := *e.cfg
	cfg.SigningRootsPEM, cfg.SigningRootsFile = "", path
	c, err := cfg.Open(context.Background(), "se-bankid", connectors.Deps{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, ok := c.(connectors.Signer); !ok || c.Info().Signing == nil {
		t.Errorf("a connector with signing roots does not sign")
	}
}
