package admin

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed web
var webFiles embed.FS

// pageHandler serves the admin page: a static shell and its script and style.
// It holds no data; everything it shows comes from the API with a token.
func pageHandler() http.Handler {
	files, _ := fs.Sub(webFiles, "web")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /admin/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		http.ServeFileFS(w, r, files, "index.html")
	})
	mux.HandleFunc("GET /admin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/", http.StatusMovedPermanently)
	})
	static := http.StripPrefix("/admin/static/", http.FileServerFS(files))
	mux.Handle("GET /admin/static/{file}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("file") {
		case "admin.js", "admin.css":
			w.Header().Set("Cache-Control", "no-cache")
			static.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	return mux
}

// contentSecurityPolicy is the broker's: only its own files, no inline script
// or style, no framing.
const contentSecurityPolicy = "default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// Mount returns a handler that serves the admin API and page under /admin/,
// with the broker's security headers, and hands every other request to next
// (the provider).
func Mount(api *API, next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(APIPrefix+"/", api.Handler())
	page := pageHandler()
	mux.Handle("/admin/", page)
	mux.Handle("/admin", page)
	admin := securityHeaders(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/admin" || strings.HasPrefix(r.URL.Path, "/admin/") {
			admin.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
