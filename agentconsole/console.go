package agentconsole

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/portvakt/portvakt/audit"
	"github.com/portvakt/portvakt/console"
	"github.com/portvakt/portvakt/internal/httpsec"
	"github.com/portvakt/portvakt/internal/randid"
	"github.com/portvakt/portvakt/themes"
)

// Path is where the console lives.
const Path = "/agent"

// RoleAgent is the role the console needs.
const RoleAgent = "agent"

// Input caps: the contract's (reason 200 characters, binding message 40, as
// BankID shows on a phone) and the body.
const (
	maxReason  = 200
	maxBinding = 40
	maxBody    = 16 << 10
)

// Options configure the console.
type Options struct {
	SignIn *console.SignIn
	CIBA   *CIBA
	Themes *themes.Themes
	// Reasons are the configured reasons the agent may pick (agent_console.reasons);
	// the agent may also write one.
	Reasons []string
	// SimulatorsURL is set in dev mode: the page says callers are simulated.
	SimulatorsURL string
	Logger        *slog.Logger
	Now           func() time.Time
}

// Console is the agent console.
type Console struct{ o Options }

// New returns the console.
func New(o Options) *Console {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Console{o: o}
}

// Handler serves everything under /agent with the broker's security headers;
// every answer is no-store.
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Path, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Path+"/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET "+Path+"/{$}", c.page)
	c.o.SignIn.Mount(mux, Path)
	mux.HandleFunc("POST "+Path+"/api/check", c.agentOnly(c.check))
	mux.HandleFunc("POST "+Path+"/api/verifications", c.agentOnly(c.start))
	mux.HandleFunc("POST "+Path+"/api/verifications/{id}/status", c.agentOnly(c.status))
	mux.HandleFunc("POST "+Path+"/api/verifications/{id}/clear", c.agentOnly(c.clear))
	return httpsec.Broker(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		mux.ServeHTTP(w, r)
	}))
}

// agentOnly lets through a signed-in person who holds the agent role now and
// whose request carries the session's CSRF token.
func (c *Console) agentOnly(next func(http.ResponseWriter, *http.Request, console.Person)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := c.o.SignIn.Current(r)
		switch {
		case errors.Is(err, console.ErrSignedOut):
			writeError(w, http.StatusUnauthorized, "signed_out", "sign in again")
			return
		case err != nil:
			c.o.Logger.ErrorContext(r.Context(), "agent console: session", "error", err)
			writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "try again")
			return
		case !slices.Contains(p.Roles, RoleAgent):
			writeError(w, http.StatusForbidden, "forbidden", "the agent role is needed")
			return
		case !c.o.SignIn.ValidCSRF(r, p):
			writeError(w, http.StatusForbidden, "csrf", "the request does not carry this session's CSRF token")
			return
		}
		next(w, r, p)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, e, description string) {
	writeJSON(w, code, map[string]string{"error": e, "error_description": description})
}

// check validates a number as the agent types it.
func (c *Console) check(w http.ResponseWriter, r *http.Request, _ console.Person) {
	var in struct{ Country, Number string }
	if json.NewDecoder(r.Body).Decode(&in) != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "the body must be JSON")
		return
	}
	_, problem := checkNumber(in.Country, in.Number)
	writeJSON(w, http.StatusOK, map[string]string{"problem": problem})
}

// startInput is what the page sends to start a verification.
type startInput struct {
	Country        string `json:"country"`
	Number         string `json:"number"`
	CallInitiator  string `json:"call_initiator"`
	Reason         string `json:"reason"`
	BindingMessage string `json:"binding_message"`
}

// plainText: no control characters and no markup, at most max characters.
func plainText(s string, max int) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= max &&
		!strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '<' || r == '>' })
}

func (c *Console) start(w http.ResponseWriter, r *http.Request, p console.Person) {
	var in startInput
	if json.NewDecoder(r.Body).Decode(&in) != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "the body must be JSON")
		return
	}
	in.Reason, in.BindingMessage = strings.TrimSpace(in.Reason), strings.TrimSpace(in.BindingMessage)
	number, problem := checkNumber(in.Country, in.Number)
	switch {
	case problem != numberOK:
		writeError(w, http.StatusBadRequest, "invalid_number", "the personal number is not valid for the country")
		return
	case in.CallInitiator != "user" && in.CallInitiator != "rp":
		writeError(w, http.StatusBadRequest, "invalid_request", "call_initiator is user or rp")
		return
	case in.Reason == "" || !plainText(in.Reason, maxReason):
		writeError(w, http.StatusBadRequest, "invalid_reason", "a reason of at most 200 characters of plain text is required")
		return
	case !plainText(in.BindingMessage, maxBinding):
		writeError(w, http.StatusBadRequest, "invalid_binding_message", "the message to the caller is at most 40 characters of plain text")
		return
	}
	ctx := r.Context()
	ack, err := c.o.CIBA.Start(ctx, StartRequest{
		LoginHint: loginHint(in.Country, number), BindingMessage: in.BindingMessage, CallInitiator: in.CallInitiator,
		Reason: in.Reason, Agent: audit.ConsoleAgent(p.Key),
	})
	var oe *OAuthError
	switch {
	case errors.As(err, &oe):
		writeError(w, http.StatusConflict, oe.Code, oe.Description)
		return
	case err != nil:
		c.o.Logger.ErrorContext(ctx, "agent console: start a verification", "error", err)
		writeError(w, http.StatusBadGateway, "temporarily_unavailable", "the broker could not start the verification; try again")
		return
	}
	now := c.o.Now()
	v := verification{Owner: p.Key, AuthReqID: ack.AuthReqID, Country: in.Country, Number: number, Interval: ack.Interval,
		NextPoll: now.Add(time.Duration(ack.Interval) * time.Second), Expires: now.Add(time.Duration(ack.ExpiresIn) * time.Second), State: statePending}
	id := randid.New()
	if err := c.save(r, id, v); err != nil {
		c.o.Logger.ErrorContext(ctx, "agent console: keep the verification", "error", err)
		writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "try again")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "status": v.status(), "interval": ack.Interval})
}

// save keeps the verification until it expires, plus the time a finished
// one's result stays for the page.
func (c *Console) save(r *http.Request, id string, v verification) error {
	keep := v.Expires
	if v.State == statePending {
		keep = keep.Add(afterFinish)
	}
	return c.o.SignIn.Put(r.Context(), "verification", id, v, keep)
}

// load returns the person's own verification; another's is not found.
func (c *Console) load(r *http.Request, id string, p console.Person) (verification, bool, error) {
	var v verification
	if len(id) > 64 {
		return v, false, nil
	}
	found, err := c.o.SignIn.Get(r.Context(), "verification", id, &v)
	if err != nil || !found || v.Owner != p.Key {
		return verification{}, false, err
	}
	return v, true, nil
}

// status polls the broker when the interval has passed and answers the
// verification's state.
func (c *Console) status(w http.ResponseWriter, r *http.Request, p console.Person) {
	id := r.PathValue("id")
	v, found, err := c.load(r, id, p)
	if err != nil {
		c.o.Logger.ErrorContext(r.Context(), "agent console: read the verification", "error", err)
		writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "try again")
		return
	}
	if !found {
		writeError(w, http.StatusNotFound, "not_found", "no such verification (it was cleared or has expired)")
		return
	}
	changed, pollErr := v.advance(r.Context(), c.o.CIBA, c.o.Now())
	if pollErr != nil {
		c.o.Logger.WarnContext(r.Context(), "agent console: poll the broker", "error", pollErr)
	}
	if changed {
		if err := c.save(r, id, v); err != nil {
			c.o.Logger.ErrorContext(r.Context(), "agent console: keep the verification", "error", err)
		}
	}
	writeJSON(w, http.StatusOK, v.status())
}

// clear drops the verification: the page was closed or the agent is done.
func (c *Console) clear(w http.ResponseWriter, r *http.Request, p console.Person) {
	id := r.PathValue("id")
	if _, found, err := c.load(r, id, p); err == nil && found {
		if err := c.o.SignIn.Delete(r.Context(), "verification", id); err != nil {
			c.o.Logger.ErrorContext(r.Context(), "agent console: clear the verification", "error", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
