package simui

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"

	"github.com/portvakt/portvakt/themes"
)

//go:embed static
var staticFiles embed.FS

// Static serves the style sheet and the icon. Mount it at the Assets path the
// pages are given (with http.StripPrefix), so a simulator needs nothing from
// another origin and works under any path prefix.
func Static() http.Handler {
	sub, _ := fs.Sub(staticFiles, "static") // the directory is embedded above
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// Page is what the layout needs; every simulator page's data embeds it.
type Page struct {
	Lang string
	T    Translator
	// EID is the connector id whose app the page plays ("se-bankid"), which picks
	// its colours and name; "" for the page that lists every simulator.
	EID   string
	App   string // the eID's name in Lang
	Mark  string // the letters on the app's icon
	Title string
	// Assets is the path Static is mounted at, ending in "/".
	Assets    string
	Languages []themes.LanguageLink
}

// Tr translates id into the page's language, for templates: {{$.Tr "id"}}, or
// {{$.Tr "id" .}} to fill the message in from the current value.
func (p Page) Tr(id string, data ...any) string { return p.T(id, data...) }

// PageOptions say which page is being drawn and where it lives.
type PageOptions struct {
	EID     string
	TitleID string
	Assets  string
	// CookiePath scopes the remembered language choice.
	CookiePath string
	// Hints are the request's languages (ui_locales), best first.
	Hints []string
	// SwitchPath and SwitchQuery are the page the language switch reloads; the
	// request's own path and query when SwitchPath is "".
	SwitchPath  string
	SwitchQuery url.Values
}

// NewPage picks the language and fills the layout's data.
func NewPage(w http.ResponseWriter, r *http.Request, o PageOptions) Page {
	lang := Language(w, r, o.CookiePath, o.Hints...)
	t := Translate(lang)
	path, query := o.SwitchPath, o.SwitchQuery
	if path == "" {
		path, query = r.URL.Path, r.URL.Query()
	}
	p := Page{Lang: lang, T: t, EID: o.EID, Assets: o.Assets, Languages: LanguageLinks(lang, path, query)}
	if o.EID != "" {
		p.App, p.Mark = t("eid."+o.EID), marks[o.EID]
	}
	p.Title = t(o.TitleID)
	return p
}

// marks are the letters on each eID app's icon.
var marks = map[string]string{"se-bankid": "iD", "freja": "F", "no-bankid": "iD", "fi-ftn": "FTN", "dk-mitid": "ID"}

// layoutSource wraps a page's "content" template in the app screen.
const layoutSource = `{{define "layout"}}<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · {{.Tr "sim.badge"}}</title>
<link rel="icon" href="{{.Assets}}favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{{.Assets}}sim.css">
</head><body{{with .EID}} class="sim-{{.}}"{{end}}>
<p class="sim-ribbon" role="note">{{.Tr "sim.ribbon"}}</p>
<header class="sim-bar">{{with .Mark}}<span class="sim-mark" aria-hidden="true">{{.}}</span>{{end}}<p class="sim-app">{{or .App (.Tr "index.app")}}</p><span class="sim-badge">{{.Tr "sim.badge"}}</span></header>
<main>{{template "content" .}}</main>
<nav aria-label="{{.Tr "sim.language"}}"><ul class="sim-langs">{{range .Languages}}<li><a href="{{.URL}}" lang="{{.Code}}" hreflang="{{.Code}}"{{if .Current}} aria-current="true"{{end}}>{{.Name}}</a></li>{{end}}</ul></nav>
</body></html>{{end}}`

// MustTemplate parses a page's content (a template named "content") into the
// layout; execute it with Render.
func MustTemplate(name, content string) *template.Template {
	return template.Must(template.Must(template.New(name).Parse(layoutSource)).Parse(`{{define "content"}}` + content + `{{end}}`))
}

// Render draws the page whole, or answers 500 without half a page. The caller
// sets the security headers first.
func Render(w http.ResponseWriter, status int, tmpl *template.Template, data any) {
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "layout", data); err != nil {
		http.Error(w, "simulator: render page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
