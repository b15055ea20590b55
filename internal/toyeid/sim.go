package toyeid

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/portvakt/portvakt/connectors"
)

// Sim is the toy eID's simulator: its authorize page sends the browser back to
// the registered callback with the first test person.
type Sim struct {
	issuer      string
	autoApprove bool
	mu          sync.Mutex
	callbacks   map[string]bool
}

var _ connectors.Simulator = (*Sim)(nil)

// StartSim starts the simulator.
func StartSim(_ context.Context, o connectors.SimulatorOptions) (connectors.Simulator, error) {
	return &Sim{issuer: o.Origin + strings.TrimSuffix(o.Path(), "/"), autoApprove: o.AutoApprove, callbacks: map[string]bool{}}, nil
}

// Handler serves /sim/<id>/authorize.
func (s *Sim) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/authorize") {
			http.NotFound(w, r)
			return
		}
		redirect := r.URL.Query().Get("redirect_uri")
		s.mu.Lock()
		known := s.callbacks[redirect]
		s.mu.Unlock()
		if !known {
			http.Error(w, "unregistered redirect_uri", http.StatusBadRequest)
			return
		}
		back := redirect + "?" + url.Values{"state": {r.URL.Query().Get("state")}, "person": {people[0].NationalID}}.Encode()
		if s.autoApprove {
			http.Redirect(w, r, back, http.StatusFound) //nolint:gosec // G710: the broker's callback, a test-only simulator
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = approvePage.Execute(w, back)
	})
}

var approvePage = template.Must(template.New("toy").Parse(`<!doctype html><title>Toy eID</title><a href="{{.}}">Approve</a>`))

// ConnectorConfig points the toy connector at the simulator.
func (s *Sim) ConnectorConfig() map[string]any { return map[string]any{"issuer": s.issuer} }

// RegisterBroker accepts the broker's callback.
func (s *Sim) RegisterBroker(callbackURL string, _ connectors.Connector) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.callbacks[callbackURL] = true
	return nil
}

// People are the toy's test users.
func (s *Sim) People() []connectors.TestPerson { return people }
