package themes

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestConnectorsCarryTheirLogos: a connector's own logo is served where the
// theme has none, and a theme's logo of the same name wins.
func TestConnectorsCarryTheirLogos(t *testing.T) {
	th, err := Load(Options{EIDLogos: map[string][]byte{
		"xx-toy":    []byte(`<svg id="toy"/>`),
		"se-bankid": []byte(`<svg id="connector's own"/>`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"xx-toy": `<svg id="toy"/>`, "se-bankid": "<svg"} {
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
