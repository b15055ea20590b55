package admin_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/devmode"
)

// A resource server is registered through the admin API like any client setting:
// validated when set, shown when read.
func TestResourceServerSetting(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	token := b.adminToken(t)
	var bad struct {
		Problems []string `json:"problems"`
	}
	b.mustCall(t, token, "POST", "/clients", map[string]any{
		"id": "api-bad", "grant_types": []string{"client_credentials"}, "resource_server": map[string]any{"audiences": []string{}},
	}, &bad, http.StatusBadRequest)
	if !strings.Contains(strings.Join(bad.Problems, "\n"), "resource_server.audiences") {
		t.Errorf("problems %v, want resource_server.audiences named", bad.Problems)
	}
	b.mustCall(t, token, "POST", "/clients", map[string]any{
		"id": "demo-api", "grant_types": []string{"client_credentials"}, "resource_server": map[string]any{"audiences": []string{"demo"}},
	}, nil, http.StatusCreated)
	var shown struct {
		ResourceServer struct {
			Audiences []string `json:"audiences"`
		} `json:"resource_server"`
	}
	b.mustCall(t, token, "GET", "/clients/demo-api", nil, &shown, http.StatusOK)
	if got := shown.ResourceServer.Audiences; len(got) != 1 || got[0] != "demo" {
		t.Errorf("resource_server.audiences read back as %v", got)
	}
}
