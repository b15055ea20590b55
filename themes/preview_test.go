package themes

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRenderPreviewFiles writes every page as a standalone HTML file with
// the static files beside it, to look at in a browser. Set
// PORTVAKT_THEMES_PREVIEW_DIR to keep them; otherwise they go to a temp dir.
func TestRenderPreviewFiles(t *testing.T) {
	th := loadThemes(t)
	dir := os.Getenv("PORTVAKT_THEMES_PREVIEW_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	files, err := readTree(embedded)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if !strings.HasPrefix(name, "static/") {
			continue
		}
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range Languages() {
		pages := samplePages(th, lang)
		for name, data := range sampleVariants(th, lang) {
			pages[name] = data
		}
		for name, data := range pages {
			// The preview has no server, so the per-client stylesheet is left out.
			var out bytes.Buffer
			if err := th.Render(&out, strings.Fields(name)[0], data); err != nil {
				t.Fatalf("Render %s: %v", name, err)
			}
			html := strings.ReplaceAll(out.String(), `<link rel="stylesheet" href="/theme/acme.css">`, "")
			html = strings.ReplaceAll(html, `"/static/`, `"static/`)
			file := strings.NewReplacer(" ", "-", ".html", "").Replace(name) + "." + lang + ".html"
			if err := os.WriteFile(filepath.Join(dir, file), []byte(html), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
