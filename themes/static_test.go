package themes

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/connectors"
)

func TestStaticHandler(t *testing.T) {
	th := loadThemes(t)
	mux := http.NewServeMux()
	mux.Handle("/static/", th.StaticHandler())
	mux.Handle("/prefixed/static/", http.StripPrefix("/prefixed/static", th.StaticHandler()))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	css := th.StaticPath("portvakt.css")
	if !strings.HasPrefix(css, "/static/portvakt.css?v=") {
		t.Fatalf("StaticPath(portvakt.css) = %q", css)
	}
	tests := []struct {
		name        string
		method      string
		path        string
		header      [2]string
		wantStatus  int
		wantType    string
		wantCache   string
		wantBodyHas string
	}{
		{"versioned css", "GET", css, [2]string{}, 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable", "--pv-primary"},
		{"unversioned css", "GET", "/static/portvakt.css", [2]string{}, 200, "text/css; charset=utf-8", "public, max-age=300, must-revalidate", ""},
		{"stale version", "GET", "/static/portvakt.css?v=000000000000", [2]string{}, 200, "text/css; charset=utf-8", "public, max-age=300, must-revalidate", ""},
		{"javascript", "GET", th.StaticPath("order.js"), [2]string{}, 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "fetch("},
		{"svg logo", "GET", th.LogoPath("se-bankid"), [2]string{}, 200, "image/svg+xml", "public, max-age=31536000, immutable", "<svg"},
		{"flag", "GET", th.FlagPath("dk"), [2]string{}, 200, "image/svg+xml", "", "<svg"},
		{"behind StripPrefix", "GET", "/prefixed" + css, [2]string{}, 200, "text/css; charset=utf-8", "", ""},
		{"head", "HEAD", css, [2]string{}, 200, "text/css; charset=utf-8", "", ""},
		{"revalidate", "GET", "/static/portvakt.css", [2]string{"If-None-Match", `"` + strings.TrimPrefix(css, "/static/portvakt.css?v=") + `"`}, 304, "", "", ""},
		{"unknown", "GET", "/static/nope.css", [2]string{}, 404, "", "", ""},
		{"directory", "GET", "/static/eids/", [2]string{}, 404, "", "", ""},
		{"traversal", "GET", "/static/../themes.go", [2]string{}, 404, "", "", ""},
		{"post", "POST", css, [2]string{}, 405, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.header[0] != "" {
				req.Header.Set(tt.header[0], tt.header[1])
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantType != "" && resp.Header.Get("Content-Type") != tt.wantType {
				t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), tt.wantType)
			}
			if tt.wantCache != "" && resp.Header.Get("Cache-Control") != tt.wantCache {
				t.Errorf("Cache-Control %q, want %q", resp.Header.Get("Cache-Control"), tt.wantCache)
			}
			if tt.wantStatus == 200 && resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no X-Content-Type-Options: nosniff")
			}
			if !strings.Contains(string(body), tt.wantBodyHas) {
				t.Errorf("body lacks %q", tt.wantBodyHas)
			}
		})
	}
}

func TestEveryAssetTheTemplatesNeedExists(t *testing.T) {
	th := loadThemes(t)
	for _, name := range []string{"portvakt.css", "demo.css", "order.js", "formpost.js", "favicon.svg", "portvakt.svg", "demo-icon.svg"} {
		if th.StaticPath(name) == "" {
			t.Errorf("static/%s is missing", name)
		}
	}
	for _, connector := range []string{"se-bankid", "no-bankid", "fi-ftn", "dk-mitid"} {
		if th.LogoPath(connector) == "" {
			t.Errorf("no logo for %s", connector)
		}
	}
	for _, country := range connectors.Countries() {
		if th.FlagPath(country) == "" {
			t.Errorf("no flag for %s", country)
		}
	}
}
