package simcore

import (
	"net/http"
	"net/url"

	"github.com/portvakt/portvakt/connectors/simui"
	"github.com/portvakt/portvakt/internal/httpsec"
	"github.com/portvakt/portvakt/internal/randid"
)

// loginPage plays the eID app: pick the bank (where the eID has banks) and a
// test person, then approve or cancel. The form's markup (a POST form first,
// hidden inputs as written) is what the connector tests' simtest browser reads.
var loginPage = simui.MustTemplate("login", `
<h1 class="sim-heading">{{.Tr "login.heading"}}</h1>
<p class="sim-lead">{{.Tr "login.lead"}}</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="txn" value="{{.Txn}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
{{if .Banks}}<fieldset><legend>{{.Tr "login.choose_bank"}}</legend>
{{range $i, $b := .Banks}}<label class="sim-choice"><input type="radio" name="method" value="{{$b.ID}}"{{if eq $i 0}} checked{{end}}><span>{{$b.Name}}</span></label>
{{end}}</fieldset>{{end}}
<fieldset><legend>{{.Tr "sim.choose_person"}}</legend>
{{range .Users}}<label class="sim-choice"><input type="radio" name="user" value="{{.NationalID}}"{{if eq .NationalID $.Selected}} checked{{end}}><span>{{.Name}}<small>{{.NationalID}}</small></span></label>
{{end}}</fieldset>
<button class="sim-button" type="submit" name="action" value="approve">{{.Tr "login.approve"}}</button>
<button class="sim-button sim-secondary" type="submit" name="action" value="cancel">{{.Tr "sim.cancel"}}</button>
</form>`)

// errorPage tells the person what went wrong in their language, and the
// developer the exact cause (in English, marked as such).
var errorPage = simui.MustTemplate("error", `
<h1 class="sim-heading">{{.Tr "error.title"}}</h1>
<div class="sim-alert sim-error" role="alert">{{.Tr .Message}}{{with .Detail}}
<small class="sim-detail">{{$.Tr "error.detail"}} <code lang="en">{{.}}</code></small>{{end}}</div>`)

type loginData struct {
	simui.Page
	Action, Txn, CSRF, Selected string
	Users                       []User
	Banks                       []Bank
}

type errorData struct {
	simui.Page
	Message, Detail string
}

// newPage fills the layout for this simulator; the request's own language
// parameter, if the eID has one, comes first.
func (s *Server) newPage(w http.ResponseWriter, r *http.Request, req *AuthRequest, titleID string, switchPath string, switchQuery url.Values) simui.Page {
	var hints []string
	if req != nil {
		hints = append(hints, req.Params[s.languageParam()])
	}
	return simui.NewPage(w, r, simui.PageOptions{
		EID: s.profile.Rules().EID, TitleID: titleID, Assets: s.basePath + "/static/",
		CookiePath: s.basePath + "/", Hints: hints, SwitchPath: switchPath, SwitchQuery: switchQuery,
	})
}

func (s *Server) languageParam() string {
	if p := s.profile.Rules().LanguageParam; p != "" {
		return p
	}
	return "ui_locales"
}

// renderPage shows the pending login txn. Its language switch comes back here
// through showPending, since the authorize request itself cannot be replayed.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, txn string, req *AuthRequest) {
	csrf := ""
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 16 {
		csrf = c.Value
	} else {
		csrf = randid.String(18)
		http.SetCookie(w, &http.Cookie{ //nolint:gosec // G124: Secure follows the connection; dev mode serves the simulators over plain http
			Name: csrfCookie, Value: csrf, Path: s.basePath + "/",
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil,
		})
	}
	selected := s.users[0].NationalID
	if u, ok := s.pickUser(s.profile.HintedUser(req)); ok {
		selected = u.NationalID
	}
	httpsec.Set(w.Header(), r, httpsec.SimulatorCSP())
	page := s.newPage(w, r, req, "login.title", s.basePath+"/authorize/page", url.Values{"txn": {txn}})
	simui.Render(w, http.StatusOK, loginPage, loginData{
		Page: page, Action: s.basePath + "/authorize/decide",
		Txn: txn, CSRF: csrf, Selected: selected, Users: s.users, Banks: s.profile.Rules().Banks,
	})
}

// showPending draws a pending login's page again, in the language the person
// picked.
func (s *Server) showPending(w http.ResponseWriter, r *http.Request) {
	txn := r.URL.Query().Get("txn")
	s.mu.Lock()
	p := s.pending[txn]
	s.mu.Unlock()
	if p == nil || s.now().After(p.expires) {
		s.badRequest(w, r, nil, "error.expired", "")
		return
	}
	s.renderPage(w, r, txn, p.req)
}

// badRequest answers a request the simulator refuses with a page: messageID
// for the person, detail for the developer.
func (s *Server) badRequest(w http.ResponseWriter, r *http.Request, req *AuthRequest, messageID, detail string) {
	httpsec.Set(w.Header(), r, httpsec.SimulatorCSP())
	page := s.newPage(w, r, req, "error.title", "", nil)
	if r.Method != http.MethodGet {
		page.Languages = nil // a refused form cannot be drawn again in another language
	}
	simui.Render(w, http.StatusBadRequest, errorPage, errorData{Page: page, Message: messageID, Detail: detail})
}
