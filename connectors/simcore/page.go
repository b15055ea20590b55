package simcore

import (
	"html/template"
	"net/http"
)

// pageTemplate plays the eID app. No external assets, so it works offline and
// under any path prefix.
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Name}} (simulated)</title>
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.3rem}.note{color:#555;font-size:.9rem}
label{display:block;padding:.5rem;border:1px solid #ccc;border-radius:.3rem;margin:.4rem 0}
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}
</style></head><body>
<h1>{{.Name}} (simulated)</h1>
<p class="note">This is a simulator with fictional test users. No real identity is used.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="txn" value="{{.Txn}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<fieldset><legend>Log in as</legend>
{{range $i, $u := .Users}}<label><input type="radio" name="user" value="{{$u.NationalID}}"{{if eq $u.NationalID $.Selected}} checked{{end}}> {{$u.Name}} ({{$u.NationalID}})</label>
{{end}}</fieldset>
<p><button type="submit" name="action" value="approve">Approve</button>
<button type="submit" name="action" value="cancel">Cancel</button></p>
</form></body></html>
`))

type pageData struct {
	Name, Action, Txn, CSRF, Selected string
	Users                             []User
}

func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, txn, hinted string) {
	csrf := ""
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 16 {
		csrf = c.Value
	} else {
		csrf = randomID(18)
		http.SetCookie(w, &http.Cookie{
			Name: csrfCookie, Value: csrf, Path: s.basePath + "/",
			HttpOnly: true, SameSite: http.SameSiteLaxMode,
		})
	}
	selected := s.users[0].NationalID
	if u, ok := s.pickUser(hinted); ok {
		selected = u.NationalID
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	_ = pageTemplate.Execute(w, pageData{ // the client went away; nothing to do
		Name: s.profile.Rules().Name, Action: s.basePath + "/authorize/decide",
		Txn: txn, CSRF: csrf, Selected: selected, Users: s.users,
	})
}
