package mtls_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors/mtls"
)

// TestMutualTLS: a client configured from the CA's PEM and a certificate it
// issued reaches a server with the CA's server setup; a client certificate of
// another CA is refused in the handshake, and VerifyConn accepts only the
// CA's own.
func TestMutualTLS(t *testing.T) {
	ca, err := mtls.NewCA("Test Root CA", nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := ca.VerifyConn(r.TLS); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	srv.TLS = ca.ServerTLSConfig()
	srv.StartTLS()
	defer srv.Close()

	client := func(issuer *mtls.CA) *http.Client {
		certPEM, keyPEM, err := issuer.IssueClientCert("rp")
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := mtls.Files{CertPEM: string(certPEM), KeyPEM: string(keyPEM), CAPEM: string(ca.PEM())}.TLSConfig("test", "the root", nil)
		if err != nil {
			t.Fatal(err)
		}
		return mtls.NewHTTPClient(cfg, 5*time.Second)
	}
	resp, err := client(ca).Get(srv.URL)
	if err != nil {
		t.Fatalf("own client: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok" {
		t.Errorf("own client: %d %s", resp.StatusCode, body)
	}
	other, err := mtls.NewCA("Other CA", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := client(other).Get(srv.URL); err == nil {
		resp.Body.Close()
		t.Error("a client certificate of another CA was accepted")
	}
	if ca.VerifyConn(&tls.ConnectionState{}) == nil {
		t.Error("VerifyConn accepted a connection without a client certificate")
	}
}

// TestTLSConfigRefusals: each misconfiguration is named, with the
// connector's name and the root it lacks.
func TestTLSConfigRefusals(t *testing.T) {
	ca, err := mtls.NewCA("Test Root CA", nil)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.IssueClientCert("rp")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		files mtls.Files
		want  string
	}{
		{"no certificate", mtls.Files{CAPEM: string(ca.PEM())}, "test: set a client certificate"},
		{"two certificates", mtls.Files{CertPEM: string(certPEM), KeyPEM: string(keyPEM), PKCS12File: "rp.p12", CAPEM: string(ca.PEM())}, "test: set exactly one client certificate"},
		{"no root", mtls.Files{CertPEM: string(certPEM), KeyPEM: string(keyPEM)}, "test: set ca_file or ca_pem to the API root"},
		{"two roots", mtls.Files{CertPEM: string(certPEM), KeyPEM: string(keyPEM), CAPEM: string(ca.PEM()), CAFile: "ca.pem"}, "not both"},
		{"root not PEM", mtls.Files{CertPEM: string(certPEM), KeyPEM: string(keyPEM), CAPEM: "root"}, "no certificate found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.files.TLSConfig("test", "the API root", nil); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("TLSConfig = %v, want %q", err, tc.want)
			}
		})
	}
	// A base config (an in-process simulator) supplies certificate and root.
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := mtls.Files{}.TLSConfig("test", "the API root", &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: x509.NewCertPool()})
	if err != nil || cfg.MinVersion < tls.VersionTLS12 {
		t.Errorf("base config: %v, %+v", err, cfg)
	}
}
