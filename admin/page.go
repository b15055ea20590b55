package admin

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/portvakt/portvakt/console"
	"github.com/portvakt/portvakt/internal/httpsec"
)

//go:embed web
var webFiles embed.FS

// pageHandler serves the admin page: a static shell and its script and style,
// and the person's sign-in through the broker. It holds no data; everything it
// shows comes from the API, with the page's session and CSRF token.
func pageHandler(signIn *console.SignIn) http.Handler {
	files, _ := fs.Sub(webFiles, "web")
	mux := http.NewServeMux()
	if signIn != nil {
		signIn.Mount(mux, "/admin")
		mux.Handle("GET /admin/session", sessionInfo(signIn))
	}
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
// (the provider). signIn, when set, signs persons in to the page.
func Mount(api *API, signIn *console.SignIn, next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(APIPrefix+"/", api.Handler())
	page := pageHandler(signIn)
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
