package sim

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// AppHandler serves the page that plays the BankID app, mounted at
// Options.AppBasePath (the full request path is expected, not a stripped one):
//
//	GET  {base}                       pending orders and a form to paste QR content
//	GET  {base}?autostarttoken=…      what a launch URL opens
//	POST {base}scan                   qr=<content>: verify and open the order
//	GET  {base}order?ref=…            pick a user, approve or cancel
//	POST {base}approve, {base}decline ref=…, personalNumber=…
func (s *Simulator) AppHandler() http.Handler {
	mux := http.NewServeMux()
	base := s.appBase
	mux.HandleFunc("GET "+base+"{$}", s.appHome)
	mux.HandleFunc("POST "+base+"scan", s.appScan)
	mux.HandleFunc("GET "+base+"order", s.appOrder)
	mux.HandleFunc("POST "+base+"approve", s.appApprove)
	mux.HandleFunc("POST "+base+"decline", s.appDecline)
	if trimmed := strings.TrimSuffix(base, "/"); trimmed != "" {
		mux.HandleFunc("GET "+trimmed, s.appHome)
	}
	return mux
}

// AppLaunchURL turns a BankID launch URL (bankid:///?autostarttoken=…) into the
// simulator app page's URL on the given origin, for development setups where no
// real app is installed.
func (s *Simulator) AppLaunchURL(origin, launchURL string) string {
	u, err := url.Parse(launchURL)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(origin, "/") + s.appBase + "?autostarttoken=" + url.QueryEscape(u.Query().Get("autostarttoken"))
}

type pageData struct {
	Base    string
	Error   string
	Notice  string
	Orders  []OrderInfo
	Order   *OrderInfo
	Users   []TestUser
	Default string
}

func (s *Simulator) appHome(w http.ResponseWriter, r *http.Request) {
	if token := r.URL.Query().Get("autostarttoken"); token != "" {
		ref, err := s.OpenAutostart(token)
		if err != nil {
			s.render(w, statusForAppError(err), pageData{Error: err.Error()})
			return
		}
		http.Redirect(w, r, s.appBase+"order?ref="+url.QueryEscape(ref), http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, pageData{})
}

func (s *Simulator) appScan(w http.ResponseWriter, r *http.Request) {
	ref, err := s.ScanQR(r.PostFormValue("qr"))
	if err != nil {
		s.render(w, statusForAppError(err), pageData{Error: err.Error()})
		return
	}
	http.Redirect(w, r, s.appBase+"order?ref="+url.QueryEscape(ref), http.StatusSeeOther)
}

func (s *Simulator) appOrder(w http.ResponseWriter, r *http.Request) {
	o, ok := s.Order(r.URL.Query().Get("ref"))
	if !ok {
		s.render(w, http.StatusNotFound, pageData{Error: ErrNoSuchOrder.Error()})
		return
	}
	def := o.PersonalNumber
	if def == "" {
		def = s.opts.DefaultPersonalNumber
	}
	s.render(w, http.StatusOK, pageData{Order: &o, Default: def})
}

func (s *Simulator) appApprove(w http.ResponseWriter, r *http.Request) {
	pnr := strings.TrimSpace(r.PostFormValue("customPersonalNumber"))
	if pnr == "" {
		pnr = r.PostFormValue("personalNumber")
	}
	s.finishFromApp(w, r, func(ref string) (string, error) { return s.Approve(ref, pnr) }, "Approved. The relying party's next collect completes the order.")
}

func (s *Simulator) appDecline(w http.ResponseWriter, r *http.Request) {
	s.finishFromApp(w, r, s.Decline, "Cancelled. The relying party's next collect reports userCancel.")
}

func (s *Simulator) finishFromApp(w http.ResponseWriter, r *http.Request, act func(string) (string, error), notice string) {
	ref := r.PostFormValue("ref")
	returnURL, err := act(ref)
	if err != nil {
		data := pageData{Error: err.Error()}
		if o, ok := s.Order(ref); ok {
			data.Order, data.Default = &o, o.PersonalNumber
		}
		s.render(w, statusForAppError(err), data)
		return
	}
	if safeReturnURL(returnURL) {
		http.Redirect(w, r, returnURL, http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, pageData{Notice: notice})
}

// safeReturnURL keeps the page from redirecting to script URLs an RP request carried.
func safeReturnURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func (s *Simulator) render(w http.ResponseWriter, status int, data pageData) {
	data.Base = s.appBase
	data.Users = TestUsers()
	if data.Order == nil && data.Notice == "" {
		for _, o := range s.Orders() {
			if o.Status == statusPending {
				data.Orders = append(data.Orders, o)
			}
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	var page bytes.Buffer
	if err := appPage.Execute(&page, data); err != nil {
		http.Error(w, "sim: render page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(page.Bytes())
}

var appPage = template.Must(template.New("app").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>BankID simulator</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#193e4f}
h1{font-size:1.4rem}.box{border:1px solid #c8d3d8;border-radius:8px;padding:1rem;margin:1rem 0}
.error{background:#fde8e8;border-color:#e0a0a0}.notice{background:#e6f4ea;border-color:#9fd0ad}
button{padding:.5rem 1rem;margin:.25rem .25rem 0 0;border-radius:6px;border:1px solid #193e4f;background:#193e4f;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#193e4f}textarea,input[type=text]{width:100%;box-sizing:border-box;padding:.4rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.25rem;border-bottom:1px solid #eee}
small{color:#5a6b73}
</style></head><body>
<h1>BankID simulator</h1>
<p><small>Plays the BankID app for development and tests. Only synthetic identities.</small></p>
{{if .Error}}<div class="box error" role="alert">{{.Error}}</div>{{end}}
{{if .Notice}}<div class="box notice" role="status">{{.Notice}}</div><p><a href="{{.Base}}">Back</a></p>{{end}}
{{with .Order}}
<div class="box">
<h2>Order</h2>
<table>
<tr><th>Type</th><td>{{.Kind}}</td></tr>
<tr><th>Reference</th><td><code>{{.Ref}}</code></td></tr>
<tr><th>Status</th><td>{{.Status}} / {{.HintCode}}</td></tr>
{{if .PersonalNumber}}<tr><th>Restricted to</th><td>{{.PersonalNumber}}</td></tr>{{end}}
{{if .UserVisibleData}}<tr><th>Text</th><td>{{.UserVisibleData}}</td></tr>{{end}}
{{if .ReturnURL}}<tr><th>Returns to</th><td>{{.ReturnURL}}</td></tr>{{end}}
</table>
<form method="post" action="{{$.Base}}approve">
<input type="hidden" name="ref" value="{{.Ref}}">
<fieldset><legend>Identify as</legend>
{{range $.Users}}<label><input type="radio" name="personalNumber" value="{{.PersonalNumber}}"{{if eq .PersonalNumber $.Default}} checked{{end}}> {{.GivenName}} {{.Surname}} ({{.PersonalNumber}})</label><br>{{end}}
<label>Other personal number (12 digits): <input type="text" name="customPersonalNumber" inputmode="numeric" pattern="[0-9]{12}"></label>
</fieldset>
<button type="submit">Identify</button>
</form>
<form method="post" action="{{$.Base}}decline"><input type="hidden" name="ref" value="{{.Ref}}"><button class="secondary" type="submit">Cancel</button></form>
</div>
{{else}}{{if not .Notice}}
<div class="box">
<h2>Scan a QR code</h2>
<form method="post" action="{{.Base}}scan">
<label for="qr">QR code content</label>
<textarea id="qr" name="qr" rows="3" placeholder="bankid.…"></textarea>
<button type="submit">Scan</button>
</form>
</div>
<div class="box">
<h2>Pending orders</h2>
{{if .Orders}}<table><tr><th>Started</th><th>Type</th><th>Restricted to</th><th></th></tr>
{{range .Orders}}<tr><td>{{.CreatedAt.Format "15:04:05"}}</td><td>{{.Kind}}</td><td>{{.PersonalNumber}}</td><td><a href="{{$.Base}}order?ref={{.Ref}}">Open</a></td></tr>{{end}}
</table>{{else}}<p>No pending orders.</p>{{end}}
</div>
{{end}}{{end}}
</body></html>
`))
