package themes

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// staticPrefix is where the broker mounts StaticHandler.
const staticPrefix = "/static/"

// staticFile is one asset held in memory with its content hash.
type staticFile struct {
	content     []byte
	hash        string
	contentType string
}

type staticFiles struct {
	byName map[string]staticFile // "portvakt.css", "eids/se-bankid.svg"
}

func newStaticFiles(files map[string][]byte) *staticFiles {
	s := &staticFiles{byName: map[string]staticFile{}}
	for name, content := range files {
		rel, ok := strings.CutPrefix(name, "static/")
		if !ok {
			continue
		}
		sum := sha256.Sum256(content)
		s.byName[rel] = staticFile{
			content:     content,
			hash:        hex.EncodeToString(sum[:6]),
			contentType: contentType(rel),
		}
	}
	return s
}

// contentType is fixed per extension rather than taken from the system's
// MIME database, which differs between machines.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/x-icon"
	case ".woff2":
		return "font/woff2"
	case ".json", ".webmanifest":
		return "application/json"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// url is the template function "static": the path of an asset with its
// content hash, so a changed file gets a new URL and the old one can be
// cached forever.
func (s *staticFiles) url(name string) (string, error) {
	name = strings.TrimPrefix(name, "/")
	f, ok := s.byName[name]
	if !ok {
		return "", fmt.Errorf("static: no file %q", name)
	}
	return staticPrefix + name + "?v=" + f.hash, nil
}

// StaticPath returns the cache-busting URL of a static asset
// ("/static/eids/se-bankid.svg?v=…"), or "" when there is no such file.
func (t *Themes) StaticPath(name string) string {
	u, err := t.static.url(name)
	if err != nil {
		return ""
	}
	return u
}

// StaticHandler serves static/ under /static/. Mount it at "/static/"
// (with or without http.StripPrefix). A request whose ?v= matches the
// file's content hash is cacheable for a year as immutable; others get a
// short cache and revalidate with the ETag.
func (t *Themes) StaticHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, staticPrefix)
		name = strings.TrimPrefix(name, "/")
		f, ok := t.static.byName[name]
		if !ok || name != path.Clean(name) {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.contentType)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", `"`+f.hash+`"`)
		if r.URL.Query().Get("v") == f.hash {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "public, max-age=300, must-revalidate")
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.content))
	})
}
