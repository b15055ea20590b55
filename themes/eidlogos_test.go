package themes

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConnectorsCarryTheirLogos: a connector's own logo is served where the
// theme has none, and a theme's logo of the same name wins.
func TestConnectorsCarryTheirLogos(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "static", "eids"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "static", "eids", "se-bankid.svg"), []byte(`<svg id="theme's"/>`), 0o600); err != nil {
		t.Fatal(err)
	}
	th, err := Load(Options{Dir: dir, EIDLogos: map[string][]byte{
		"xx-toy":    []byte(`<svg id="toy"/>`),
		"se-bankid": []byte(`<svg id="connector's own"/>`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"xx-toy": `<svg id="toy"/>`, "se-bankid": `<svg id="theme's"/>`} {
		path := th.LogoPath(id)
		if path == "" {
			t.Fatalf("%s: no logo", id)
		}
		rec := httptest.NewRecorder()
		th.StaticHandler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		body, _ := io.ReadAll(rec.Body)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(string(body), want) || strings.Contains(string(body), "connector's own") {
			t.Errorf("%s: %d %s %.60s", id, rec.Code, rec.Header().Get("Content-Type"), body)
		}
	}
}
