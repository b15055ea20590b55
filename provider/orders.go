package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/storage"
	"github.com/portvakt/portvakt/themes"
)

// orderStatus is what the order page polls, about once a second.
type orderStatus struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
	// QRContent is this second's QR code content; the page draws it. It holds
	// nothing secret: the QR secret stays in the broker.
	QRContent string `json:"qr_content,omitempty"`
	Redirect  string `json:"redirect,omitempty"`
}

// orderPage shows a running order: the QR code or the button that opens the app.
func (s *logins) orderPage(w http.ResponseWriter, r *http.Request, a *authRequest) {
	// On this device the page loads when the person comes back from the eID app:
	// ask the upstream now, not at the next poll interval, so an approved login
	// goes on at once instead of showing what was true before the app.
	chosen, _ := s.chosen(a)
	returning := a.state.Order != nil && chosen.Method.LaunchesApp
	st, a, err := s.advanceOrder(r.Context(), a, s.clientIP(r), s.lang(nil, r, a.state.Params.UILocales), returning)
	if err != nil {
		s.unavailablePage(w, r, err)
		return
	}
	if st.Redirect != "" {
		s.finish(w, r, a)
		return
	}
	o, _ := s.chosen(a)
	client, err := s.clients.Get(r.Context(), a.state.Params.ClientID)
	if err != nil {
		s.unavailablePage(w, r, err)
		return
	}
	lang := s.lang(nil, r, a.state.Params.UILocales)
	name := themes.EIDName(s.themes.Translator(lang), lang, o.Info)
	title := "order.title"
	if a.state.Sign != nil {
		title = "order.sign_title"
	}
	base := s.pageFor(w, r, a.state.Params.UILocales, title, "EID", name)
	if base.SimulatorsURL != "" {
		// The person plays this eID's app now: the banner opens its simulator.
		base.SimulatorsURL += o.Info.ID + "/"
	}
	// An order with neither a QR code nor an app link was pushed to the
	// person's app (Freja eID by personal number), whatever the method chosen.
	pushed := st.QRContent == "" && a.state.Order.LaunchURL == ""
	launches := o.Method.LaunchesApp && !pushed
	page := themes.OrderPage{
		Page: base, EIDName: name, Method: o.Method.ID, QRImageURL: qrImage(st.QRContent), Pushed: pushed,
		LaunchURL: a.state.Order.LaunchURL, Message: st.Message, AwaitingLaunch: launches, LaunchesApp: launches,
		StatusURL: "/login/" + a.id + "/status", CancelAction: "/login/" + a.id + "/cancel",
		NoScriptRefreshURL: "/login/" + a.id, Signing: a.state.Sign != nil,
	}
	page.Theme = s.clientTheme(client)
	page.CSRFToken = s.browser.csrfToken(a)
	s.render(w, http.StatusOK, "order.html", page)
}

// orderStatusJSON answers the order page's polling.
func (s *logins) orderStatusJSON(w http.ResponseWriter, r *http.Request) {
	a, err := s.loadAuthRequest(r.Context(), r.PathValue("id"))
	if err != nil || !s.browser.sameBrowser(r, a) {
		writeJSON(w, http.StatusNotFound, orderStatus{Status: "failed", Redirect: "/login/" + r.PathValue("id")})
		return
	}
	st, _, err := s.advanceOrder(r.Context(), a, s.clientIP(r), s.lang(nil, r, a.state.Params.UILocales), false)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, orderStatus{Status: "pending"})
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// advanceOrder polls the upstream if the order is due for it (or now, when
// pollNow), and says what the page should show now. The QR code is computed
// locally every time.
func (s *logins) advanceOrder(ctx context.Context, a *authRequest, ip, lang string, pollNow bool) (orderStatus, *authRequest, error) {
	if st, over := s.orderOver(a, lang); over {
		return st, a, nil
	}
	o, ok := s.chosen(a)
	oc, isOrder := o.Connector.(connectors.OrderConnector)
	if !ok || !isOrder {
		return orderStatus{Status: "failed", Redirect: "/login/" + a.id}, a, nil
	}
	if pollNow || s.polls.due(a, s.now()) {
		var err error
		if a, err = s.polls.do(a.id, func() (*authRequest, error) { return s.pollOnce(ctx, a, o, oc, ip) }); err != nil {
			return orderStatus{}, a, err
		}
	}
	if st, over := s.orderOver(a, lang); over {
		return st, a, nil
	}
	st := orderStatus{Status: "pending", Message: s.message(lang, a.state.Option, a.state.Message),
		QRContent: oc.QR(a.state.Order, s.now())}
	return st, a, nil
}

// orderOver says what the order page shows once the login runs no order: the
// login's outcome, or the failed attempt's message with the choice to try again.
func (s *logins) orderOver(a *authRequest, lang string) (orderStatus, bool) {
	switch p := a.state.phase(); {
	case p == phaseDone || p == phaseConsent:
		return orderStatus{Status: "complete", Redirect: "/login/" + a.id + "/done"}, true
	case p == phaseFailed:
		return orderStatus{Status: "failed", Redirect: "/login/" + a.id + "/done"}, true
	case p == phaseRetry || a.state.Order == nil:
		return orderStatus{Status: "failed", Message: s.message(lang, a.state.Option, a.state.Message), Redirect: "/login/" + a.id}, true
	}
	return orderStatus{}, false
}

// pollOnce asks the upstream once and stores the outcome.
func (s *logins) pollOnce(ctx context.Context, a *authRequest, o Option, oc connectors.OrderConnector, ip string) (*authRequest, error) {
	progress, perr := oc.Poll(ctx, a.state.Order)
	now := s.now()
	s.polls.polled(a.id, now)
	if progress.Status == connectors.StatusComplete && progress.Identity != nil && perr == nil {
		s.polls.forget(a.id)
		updated, err := s.recordLogin(ctx, a, o, *progress.Identity, ip, false)
		return s.currentIfMovedOn(ctx, a.id, updated, err)
	}
	final := progress.Status == connectors.StatusFailed || (perr != nil && !errors.Is(perr, connectors.ErrUpstream))
	if !final && (progress.Message == "" || progress.Message == a.state.Message) {
		// Nothing new to remember: no write. A pending order costs the database one
		// read per page poll and a write only when its message changes.
		return a, nil
	}
	if final {
		s.polls.forget(a.id)
	}
	updated, err := s.advanceLogin(ctx, a, func(st *loginState, _ *storage.AuthRequest) error {
		if !st.sameAttempt(&a.state) {
			return errLoginMovedOn
		}
		st.LastPoll = now
		if progress.Message != "" {
			st.Message = progress.Message
		}
		if progress.Status == connectors.StatusFailed || (perr != nil && !errors.Is(perr, connectors.ErrUpstream)) {
			f, msg := failureFor(perr)
			if perr == nil {
				f, msg = failureFor(connectors.ErrUpstream)
			}
			if hasMessage(o, progress.Message) {
				msg = progress.Message
			}
			st.fail(f, msg)
		}
		return nil
	})
	return s.currentIfMovedOn(ctx, a.id, updated, err)
}

// cancelOrder cancels upstream an order the login no longer runs. It is best
// effort: the order also ends by itself at the upstream within minutes.
func (s *logins) cancelOrder(ctx context.Context, option string, order *connectors.Order) {
	if order == nil {
		return
	}
	o, ok := s.optionNamed(option)
	oc, isOrder := o.Connector.(connectors.OrderConnector)
	if !ok || !isOrder {
		return
	}
	if err := oc.Cancel(ctx, order); err != nil {
		s.logger.WarnContext(ctx, "cancel order upstream", "connector", o.Info.ID, "error", err)
	}
}

// pollGroup makes concurrent polls of one order in this process share one upstream
// call, and keeps when each order was last polled, so the upstream is asked at most
// once per poll interval without writing that time to the database.
type pollGroup struct {
	mu       sync.Mutex
	inflight map[string]*pollCall
	last     map[string]time.Time
}

// due reports whether the order may be polled upstream now.
func (g *pollGroup) due(a *authRequest, now time.Time) bool {
	g.mu.Lock()
	last := g.last[a.id]
	g.mu.Unlock()
	if a.state.LastPoll.After(last) {
		last = a.state.LastPoll
	}
	return now.Sub(last) >= a.state.Order.PollInterval
}

func (g *pollGroup) polled(id string, at time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.last == nil {
		g.last = map[string]time.Time{}
	}
	g.last[id] = at
}

func (g *pollGroup) forget(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.last, id)
}

// prune forgets orders not polled since before, abandoned by their pages.
func (g *pollGroup) prune(before time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for id, at := range g.last {
		if at.Before(before) {
			delete(g.last, id)
		}
	}
}

type pollCall struct {
	done chan struct{}
	a    *authRequest
	err  error
}

func (g *pollGroup) do(id string, fn func() (*authRequest, error)) (*authRequest, error) {
	g.mu.Lock()
	if g.inflight == nil {
		g.inflight = map[string]*pollCall{}
	}
	if c, ok := g.inflight[id]; ok {
		g.mu.Unlock()
		<-c.done
		return c.a, c.err
	}
	c := &pollCall{done: make(chan struct{})}
	g.inflight[id] = c
	g.mu.Unlock()
	c.a, c.err = fn()
	g.mu.Lock()
	delete(g.inflight, id)
	g.mu.Unlock()
	close(c.done)
	return c.a, c.err
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// qrImage renders QR content as a PNG data URL, for the order page's first paint
// and for browsers without JavaScript; after that the page draws the codes itself
// (static/order.js). Both draw the code without a quiet zone, so it fills the
// image whatever its version and never changes size when the page takes over; the
// frame around the image is the quiet zone.
func qrImage(content string) string {
	if content == "" {
		return ""
	}
	code, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return ""
	}
	code.DisableBorder = true
	png, err := code.PNG(-qrModulePixels)
	if err != nil {
		return ""
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
}

// qrModulePixels is the size of one QR module in the server's image, as in order.js.
const qrModulePixels = 6

// hasMessage reports whether the connector has its own text for a message id.
func hasMessage(o Option, id string) bool {
	m, ok := o.Connector.(connectors.Messages)
	return ok && id != "" && m.Message("en", id) != ""
}
