package sim

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/portvakt/portvakt/connectors/simui"
	"github.com/portvakt/portvakt/internal/httpsec"
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
	mux.Handle("GET "+base+"static/", http.StripPrefix(base+"static/", simui.Static()))
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

// appPage is what the app's pages show: an order to identify or sign for, the
// outcome of one, or the start screen with the waiting orders.
type appPage struct {
	simui.Page
	Base string
	// Error is a message id; Detail the cause, for developers.
	Error, Detail string
	// Done is a message id: the order was approved or cancelled.
	Done    string
	Orders  []OrderInfo
	Order   *OrderInfo
	Users   []TestUser
	Default string
}

// Started is when the order started, as the app lists it.
func (o OrderInfo) Started() string { return o.CreatedAt.Format("15:04:05") }

// Phone reports whether the order was started during a phone call (BankID's
// phone API), by the service calling the person or the person calling it.
func (o OrderInfo) Phone() bool { return strings.HasPrefix(o.Kind, "phone/") }

// PersonCalled reports whether the person phoned the service.
func (o OrderInfo) PersonCalled() bool { return o.CallInitiator == "user" }

// Signing reports whether the order asks for a signature rather than a login.
func (o OrderInfo) Signing() bool { return strings.HasSuffix(o.Kind, "sign") }

func (s *Simulator) appHome(w http.ResponseWriter, r *http.Request) {
	if token := r.URL.Query().Get("autostarttoken"); token != "" {
		ref, err := s.OpenAutostart(token)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.redirectToOrder(w, r, ref)
		return
	}
	s.render(w, r, http.StatusOK, appPage{})
}

func (s *Simulator) appScan(w http.ResponseWriter, r *http.Request) {
	ref, err := s.ScanQR(r.PostFormValue("qr"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.redirectToOrder(w, r, ref)
}

// redirectToOrder opens the order's page, keeping a language the person chose
// in the link that brought them.
func (s *Simulator) redirectToOrder(w http.ResponseWriter, r *http.Request, ref string) {
	target := s.appBase + "order?ref=" + url.QueryEscape(ref)
	if lang := r.URL.Query().Get("lang"); lang != "" {
		target += "&lang=" + url.QueryEscape(lang)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// appOrder shows a waiting order to approve or cancel, or how a finished one
// ended.
func (s *Simulator) appOrder(w http.ResponseWriter, r *http.Request) {
	o, ok := s.Order(r.URL.Query().Get("ref"))
	if !ok {
		s.renderError(w, r, ErrNoSuchOrder)
		return
	}
	switch {
	case o.Status == statusComplete:
		s.render(w, r, http.StatusOK, appPage{Done: "bankid.done"})
	case o.Status == statusFailed && o.HintCode == hintUserCancel:
		s.render(w, r, http.StatusOK, appPage{Done: "bankid.cancelled"})
	case o.Status != statusPending:
		s.renderError(w, r, ErrOrderOver)
	default:
		s.render(w, r, http.StatusOK, appPage{Order: &o, Default: cmp.Or(o.PersonalNumber, s.opts.DefaultPersonalNumber)})
	}
}

func (s *Simulator) appApprove(w http.ResponseWriter, r *http.Request) {
	pnr := strings.TrimSpace(r.PostFormValue("customPersonalNumber"))
	if pnr == "" {
		pnr = r.PostFormValue("personalNumber")
	}
	s.finishFromApp(w, r, func(ref string) (string, error) { return s.Approve(ref, pnr) }, "bankid.done")
}

func (s *Simulator) appDecline(w http.ResponseWriter, r *http.Request) {
	s.finishFromApp(w, r, s.Decline, "bankid.cancelled")
}

func (s *Simulator) finishFromApp(w http.ResponseWriter, r *http.Request, act func(string) (string, error), done string) {
	ref := r.PostFormValue("ref")
	returnURL, err := act(ref)
	if err != nil {
		data := appPage{Error: appErrorMessage(err), Detail: err.Error()}
		if o, ok := s.Order(ref); ok && o.Status == statusPending {
			data.Order, data.Default = &o, o.PersonalNumber
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

// safeReturnURL keeps the page from redirecting to script URLs an RP request carried.
func safeReturnURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func (s *Simulator) renderError(w http.ResponseWriter, r *http.Request, err error) {
	s.render(w, r, statusForAppError(err), appPage{Error: appErrorMessage(err), Detail: err.Error()})
}

// appErrorMessage says in plain words what went wrong, in a message id.
func appErrorMessage(err error) string {
	for _, m := range []struct {
		err error
		id  string
	}{
		{ErrQRTooOld, "bankid.err_qr_old"},
		{ErrInvalidQR, "bankid.err_qr"},
		{ErrNoSuchOrder, "bankid.err_no_order"},
		{ErrOrderOver, "bankid.err_over"},
		{ErrWrongPerson, "bankid.err_wrong_person"},
		{ErrInvalidInput, "bankid.err_pnr"},
	} {
		if errors.Is(err, m.err) {
			return m.id
		}
	}
	return "bankid.err_over"
}

func (s *Simulator) render(w http.ResponseWriter, r *http.Request, status int, data appPage) {
	opts := simui.PageOptions{EID: "se-bankid", TitleID: "bankid.title", Assets: s.appBase + "static/", CookiePath: s.appBase}
	if r.Method != http.MethodGet {
		// A form's answer: the switch reloads the order, which shows how it ended.
		opts.SwitchPath, opts.SwitchQuery = s.appBase+"order", url.Values{"ref": {r.PostFormValue("ref")}}
		if r.PostFormValue("ref") == "" {
			opts.SwitchPath, opts.SwitchQuery = s.appBase, nil
		}
	}
	data.Page = simui.NewPage(w, r, opts)
	data.Base = s.appBase
	data.Users = TestUsers()
	if data.Order == nil && data.Done == "" {
		for _, o := range s.Orders() {
			if o.Status == statusPending {
				data.Orders = append(data.Orders, o)
			}
		}
	}
	httpsec.Set(w.Header(), r, httpsec.SimulatorCSP())
	simui.Render(w, status, appTemplate, data)
}

// appTemplate plays the BankID app. The order page says what the service asks
// for and lets the person answer; nothing of the RP API (statuses, hint codes,
// collects) shows.
var appTemplate = simui.MustTemplate("app", `
{{if .Error}}<div class="sim-alert sim-error" role="alert">{{.Tr .Error}}{{with .Detail}}
<small class="sim-detail">{{$.Tr "error.detail"}} <code lang="en">{{.}}</code></small>{{end}}</div>{{end}}
{{if .Done}}<div class="sim-alert sim-done" role="status">{{.Tr .Done}}</div>
<a class="sim-button sim-secondary" href="{{.Base}}">{{.Tr "bankid.back"}}</a>
{{else}}{{with .Order}}
<h1 class="sim-heading">{{if .Signing}}{{$.Tr "bankid.order_sign"}}{{else}}{{$.Tr "bankid.order_auth"}}{{end}}</h1>
<p class="sim-lead">{{if .Signing}}{{$.Tr "bankid.lead_sign"}}{{else}}{{$.Tr "bankid.lead_auth"}}{{end}}</p>
{{if .Phone}}<div class="sim-alert" role="note" data-call-initiator="{{.CallInitiator}}">{{if .PersonCalled}}{{$.Tr "bankid.phone_user"}}{{else}}{{$.Tr "bankid.phone_rp"}}{{end}}</div>{{end}}
{{if .UserVisibleData}}<div class="sim-card"><h2>{{$.Tr "bankid.text"}}</h2><p class="sim-quote">{{.UserVisibleData}}</p></div>{{end}}
<form method="post" action="{{$.Base}}approve">
<input type="hidden" name="ref" value="{{.Ref}}">
<fieldset><legend>{{$.Tr "sim.choose_person"}}</legend>
{{if .PersonalNumber}}<p class="sim-muted">{{$.Tr "bankid.only_for" .}}</p>{{end}}
{{range $.Users}}<label class="sim-choice"><input type="radio" name="personalNumber" value="{{.PersonalNumber}}"{{if eq .PersonalNumber $.Default}} checked{{end}}><span>{{.GivenName}} {{.Surname}}<small>{{.PersonalNumber}}</small></span></label>
{{end}}</fieldset>
<label class="sim-field">{{$.Tr "bankid.other_number"}}<input type="text" name="customPersonalNumber" inputmode="numeric" pattern="[0-9]{12}" autocomplete="off"></label>
<button class="sim-button" type="submit">{{if .Signing}}{{$.Tr "bankid.sign"}}{{else}}{{$.Tr "bankid.identify"}}{{end}}</button>
</form>
<form method="post" action="{{$.Base}}decline"><input type="hidden" name="ref" value="{{.Ref}}"><button class="sim-button sim-secondary" type="submit">{{$.Tr "sim.cancel"}}</button></form>
{{else}}
<h1 class="sim-heading">{{.Tr "bankid.pending_heading"}}</h1>
{{if .Orders}}{{range .Orders}}<a class="sim-order" href="{{$.Base}}order?ref={{.Ref}}"><span>{{if .Signing}}{{$.Tr "bankid.kind_sign"}}{{else}}{{$.Tr "bankid.kind_auth"}}{{end}}
<small>{{$.Tr "bankid.started" .}}{{if .PersonalNumber}} · {{$.Tr "bankid.only_for" .}}{{end}}{{if .Phone}} · {{if .PersonCalled}}{{$.Tr "bankid.phone_user"}}{{else}}{{$.Tr "bankid.phone_rp"}}{{end}}{{end}}{{if .UserVisibleData}} · “{{.UserVisibleData}}”{{end}}</small></span><b>{{$.Tr "bankid.open"}}</b></a>
{{end}}{{else}}<p class="sim-lead">{{.Tr "bankid.pending_none"}}</p>{{end}}
<div class="sim-card">
<h2>{{.Tr "bankid.scan_heading"}}</h2>
<form method="post" action="{{.Base}}scan">
<label class="sim-field">{{.Tr "bankid.scan_help"}}<textarea id="qr" name="qr" rows="3" placeholder="bankid.…" aria-label="{{.Tr "bankid.scan_label"}}"></textarea></label>
<button class="sim-button" type="submit">{{.Tr "bankid.scan"}}</button>
</form>
</div>
{{end}}{{end}}`)
