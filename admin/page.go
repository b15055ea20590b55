package admin

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/portvakt/portvakt/internal/httpsec"
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

// Mount returns a handler that serves the admin API and page under /admin/,
// with the broker's security headers, and hands every other request to next
// (the provider).
func Mount(api *API, next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(APIPrefix+"/", api.Handler())
	page := pageHandler()
	mux.Handle("/admin/", page)
	mux.Handle("/admin", page)
	admin := httpsec.Broker(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/admin" || strings.HasPrefix(r.URL.Path, "/admin/") {
			admin.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
