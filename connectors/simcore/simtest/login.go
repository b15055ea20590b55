package simtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/portvakt/portvakt/connectors"
)

// Login runs one whole login with a redirect connector against a simulator:
// Begin, the person's browser at the simulator's page (user picks, action is
// Approve or Cancel), then Finish with the callback the simulator sent.
func Login(t *testing.T, conn connectors.RedirectConnector, req connectors.Request, callbackURL, user, action string) (connectors.Identity, error) {
	t.Helper()
	ctx := context.Background()
	req.CallbackURL = callbackURL
	authURL, state, err := conn.Begin(ctx, req)
	if err != nil {
		return connectors.Identity{}, err
	}
	cb, err := NewBrowser(nil).Login(ctx, authURL, user, action)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return conn.Finish(ctx, state, httptest.NewRequest(http.MethodGet, cb.String(), nil))
}
