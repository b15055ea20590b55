package sim

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/portvakt/portvakt/connectors/simui"
	"github.com/portvakt/portvakt/internal/httpsec"
)

// AppHandler serves the page that plays the Freja app, mounted at
// Options.AppBasePath (the full request path is expected, not a stripped one):
//
//	GET  {base}                       waiting transactions and a form to paste a QR code
//	GET  {base}link?transactionReference=…   what a QR code's link or an app link opens
//	POST {base}scan                   qr=<content>: verify and open the transaction
//	GET  {base}tx?ref=…               pick a person, confirm or decline
//	POST {base}approve, {base}reject  ref=…, ssn=…
//	GET  {base}jws.pem                the result-signing certificate, to verify signatures offline
func (s *Simulator) AppHandler() http.Handler {
	mux := http.NewServeMux()
	base := s.appBase
	mux.HandleFunc("GET "+base+"{$}", s.appHome)
	mux.HandleFunc("GET "+base+"link", s.appLink)
	mux.HandleFunc("POST "+base+"scan", s.appScan)
	mux.HandleFunc("GET "+base+"tx", s.appTransaction)
	mux.HandleFunc("POST "+base+"approve", s.appApprove)
	mux.HandleFunc("POST "+base+"reject", s.appReject)
	mux.HandleFunc("GET "+base+"jws.pem", s.appJWSCert)
	mux.Handle("GET "+base+"static/", http.StripPrefix(base+"static/", simui.Static()))
	if trimmed := strings.TrimSuffix(base, "/"); trimmed != "" {
		mux.HandleFunc("GET "+trimmed, s.appHome)
	}
	return mux
}

// AppLaunchURL turns a Freja app link (frejaeid://bindUserToTransaction?…)
// into the simulated app's page on the given origin, for development setups
// where no real app is installed.
func (s *Simulator) AppLaunchURL(origin, launchURL string) string {
	u, err := url.Parse(launchURL)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(origin, "/") + s.AppLinkPath() + "?" + u.RawQuery
}

// appPage is what the app's pages show: a transaction to confirm, the outcome
// of one, or the start screen with the waiting transactions.
type appPage struct {
	simui.Page
	Base string
	// Error is a message id; Detail the cause, for developers.
	Error, Detail string
	// Done is a message id: the transaction was confirmed or declined.
	Done         string
	Transactions []TransactionInfo
	Transaction  *TransactionInfo
	Users        []TestUser
	Default      string
}

func (s *Simulator) appHome(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, appPage{})
}

// appLink opens what a QR code's link (a dynamic reference <ref>.<s>.<code>)
// or an app link on this device (a bare reference) names.
func (s *Simulator) appLink(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	reference := q.Get("transactionReference")
	var ref string
	var err error
	if strings.Contains(reference, ".") {
		ref, err = s.ScanQR(r.URL.String())
	} else {
		ref, err = reference, s.OpenApp(reference, q.Get("originAppScheme"))
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.redirectToTransaction(w, r, ref)
}

func (s *Simulator) appScan(w http.ResponseWriter, r *http.Request) {
	ref, err := s.ScanQR(r.PostFormValue("qr"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.redirectToTransaction(w, r, ref)
}

func (s *Simulator) redirectToTransaction(w http.ResponseWriter, r *http.Request, ref string) {
	target := s.appBase + "tx?ref=" + url.QueryEscape(ref)
	if lang := r.URL.Query().Get("lang"); lang != "" {
		target += "&lang=" + url.QueryEscape(lang)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// appTransaction shows a waiting transaction to confirm or decline, or how a
// finished one ended.
func (s *Simulator) appTransaction(w http.ResponseWriter, r *http.Request) {
	t, ok := s.Transaction(r.URL.Query().Get("ref"))
	if !ok {
		s.renderError(w, r, ErrNoSuchTransaction)
		return
	}
	switch t.Status {
	case "APPROVED":
		s.render(w, r, http.StatusOK, appPage{Done: "freja.done"})
	case "REJECTED":
		s.render(w, r, http.StatusOK, appPage{Done: "freja.rejected"})
	case "STARTED", "DELIVERED_TO_MOBILE":
		s.render(w, r, http.StatusOK, appPage{Transaction: &t, Default: s.defaultFor(t)})
	default:
		s.renderError(w, r, ErrOver)
	}
}

func (s *Simulator) defaultFor(t TransactionInfo) string {
	if t.For != nil {
		return t.For.SSN
	}
	return TestUsers()[0].SSN
}

func (s *Simulator) appApprove(w http.ResponseWriter, r *http.Request) {
	ssn := strings.TrimSpace(r.PostFormValue("customSSN"))
	if ssn == "" {
		ssn = r.PostFormValue("ssn")
	}
	s.finishFromApp(w, r, func(ref string) (string, error) { return s.Approve(ref, ssn) }, "freja.done")
}

func (s *Simulator) appReject(w http.ResponseWriter, r *http.Request) {
	s.finishFromApp(w, r, s.Reject, "freja.rejected")
}

func (s *Simulator) finishFromApp(w http.ResponseWriter, r *http.Request, act func(string) (string, error), done string) {
	ref := r.PostFormValue("ref")
	returnURL, err := act(ref)
	if err != nil {
		data := appPage{Error: appErrorMessage(err), Detail: err.Error()}
		if t, ok := s.Transaction(ref); ok && (t.Status == "STARTED" || t.Status == "DELIVERED_TO_MOBILE") {
			data.Transaction, data.Default = &t, s.defaultFor(t)
		}
		s.render(w, r, statusForAppError(err), data)
		return
	}
	if safeReturnURL(returnURL) {
		http.Redirect(w, r, returnURL, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, appPage{Done: done})
}

// safeReturnURL keeps the page from redirecting to script URLs a request carried.
func safeReturnURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func (s *Simulator) renderError(w http.ResponseWriter, r *http.Request, err error) {
	s.render(w, r, statusForAppError(err), appPage{Error: appErrorMessage(err), Detail: err.Error()})
}

// appErrorMessage says in plain words what went wrong, as a message id.
func appErrorMessage(err error) string {
	for _, m := range []struct {
		err error
		id  string
	}{
		{ErrQRTooOld, "freja.err_qr_old"},
		{ErrInvalidQR, "freja.err_qr"},
		{ErrNoSuchTransaction, "freja.err_no_tx"},
		{ErrOver, "freja.err_over"},
		{ErrWrongPerson, "freja.err_wrong_person"},
		{ErrLevelTooLow, "freja.err_level"},
		{ErrUnknownPerson, "freja.err_ssn"},
		{ErrBothCanceled, "freja.err_both"},
	} {
		if errors.Is(err, m.err) {
			return m.id
		}
	}
	return "freja.err_over"
}

func (s *Simulator) render(w http.ResponseWriter, r *http.Request, status int, data appPage) {
	opts := simui.PageOptions{EID: "freja", TitleID: "freja.title", Assets: s.appBase + "static/", CookiePath: s.appBase}
	if r.Method != http.MethodGet {
		// A form's answer: the switch reloads the transaction, which shows how it ended.
		opts.SwitchPath, opts.SwitchQuery = s.appBase+"tx", url.Values{"ref": {r.PostFormValue("ref")}}
		if r.PostFormValue("ref") == "" {
			opts.SwitchPath, opts.SwitchQuery = s.appBase, nil
		}
	}
	data.Page = simui.NewPage(w, r, opts)
	data.Base = s.appBase
	data.Users = TestUsers()
	if data.Transaction == nil && data.Done == "" {
		for _, t := range s.Transactions() {
			if t.Status == "STARTED" || t.Status == "DELIVERED_TO_MOBILE" {
				data.Transactions = append(data.Transactions, t)
			}
		}
	}
	httpsec.Set(w.Header(), r, httpsec.SimulatorCSP())
	simui.Render(w, status, appTemplate, data)
}

// appTemplate plays the Freja app. The transaction page says what the service
// asks for and lets the person answer; nothing of the API shows.
var appTemplate = simui.MustTemplate("app", `
{{if .Error}}<div class="sim-alert sim-error" role="alert">{{.Tr .Error}}{{with .Detail}}
<small class="sim-detail">{{$.Tr "error.detail"}} <code lang="en">{{.}}</code></small>{{end}}</div>{{end}}
{{if .Done}}<div class="sim-alert sim-done" role="status">{{.Tr .Done}}</div>
<a class="sim-button sim-secondary" href="{{.Base}}">{{.Tr "freja.back"}}</a>
{{else}}{{with .Transaction}}
<h1 class="sim-heading">{{if .Signing}}{{$.Tr "freja.order_sign"}}{{else}}{{$.Tr "freja.order_auth"}}{{end}}</h1>
<p class="sim-lead">{{if .Signing}}{{$.Tr "freja.lead_sign"}}{{else}}{{$.Tr "freja.lead_auth"}}{{end}}</p>
{{if .Text}}<div class="sim-card"><h2>{{$.Tr "freja.text"}}</h2><p class="sim-quote">{{.Text}}</p></div>{{end}}
<form method="post" action="{{$.Base}}approve">
<input type="hidden" name="ref" value="{{.Ref}}">
<fieldset><legend>{{$.Tr "sim.choose_person"}}</legend>
<p class="sim-muted">{{$.Tr "freja.level" .}}</p>
{{range $.Users}}<label class="sim-choice"><input type="radio" name="ssn" value="{{.SSN}}"{{if eq .SSN $.Default}} checked{{end}}><span>{{.GivenName}} {{.Surname}}<small>{{.Country}} · {{.SSN}} · {{.Level}}</small></span></label>
{{end}}</fieldset>
<label class="sim-field">{{$.Tr "freja.other_number"}}<input type="text" name="customSSN" autocomplete="off"></label>
<button class="sim-button" type="submit">{{if .Signing}}{{$.Tr "freja.sign"}}{{else}}{{$.Tr "freja.approve"}}{{end}}</button>
</form>
<form method="post" action="{{$.Base}}reject"><input type="hidden" name="ref" value="{{.Ref}}"><button class="sim-button sim-secondary" type="submit">{{$.Tr "freja.reject"}}</button></form>
{{else}}
<h1 class="sim-heading">{{.Tr "freja.pending_heading"}}</h1>
{{if .Transactions}}{{range .Transactions}}<a class="sim-order" href="{{$.Base}}tx?ref={{.Ref}}"><span>{{if .Signing}}{{$.Tr "freja.kind_sign"}}{{else}}{{$.Tr "freja.kind_auth"}}{{end}}
<small>{{$.Tr "freja.started" .}}{{with .For}} · {{.GivenName}} {{.Surname}}{{end}}</small></span><b>{{$.Tr "freja.open"}}</b></a>
{{end}}{{else}}<p class="sim-lead">{{.Tr "freja.pending_none"}}</p>{{end}}
<div class="sim-card">
<h2>{{.Tr "freja.scan_heading"}}</h2>
<form method="post" action="{{.Base}}scan">
<label class="sim-field">{{.Tr "freja.scan_help"}}<textarea id="qr" name="qr" rows="3" aria-label="{{.Tr "freja.scan_label"}}"></textarea></label>
<button class="sim-button" type="submit">{{.Tr "freja.scan"}}</button>
</form>
</div>
{{end}}{{end}}`)
