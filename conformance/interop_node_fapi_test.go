package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/internal/testenv"
)

// nodeFAPIReport is what node/fapi.mjs prints.
type nodeFAPIReport struct {
	OK          bool   `json:"ok"`
	Error       string `json:"error"`
	Query       string `json:"query"`
	TokenType   string `json:"token_type"`
	Sub         string `json:"sub"`
	ACR         string `json:"acr"`
	NonceOK     bool   `json:"nonce_ok"`
	UserinfoSub string `json:"userinfo_sub"`
}

// TestInteropNodeFAPI runs node/fapi.mjs: openid-client logs in as dev mode's
// fapi-demo client with a signed request object pushed to the PAR endpoint,
// private_key_jwt, and DPoP at the token and userinfo endpoints.
func TestInteropNodeFAPI(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "node is not installed; the openid-client interop test needs Node.js 20 or later")
	}
	dir, _ := filepath.Abs("node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "openid-client")); err != nil {
		testenv.Missing(t, "conformance/node/node_modules is missing; run `npm ci` in conformance/node")
	}
	d := dev(t)
	// The script binds tokens with DPoP, as a FAPI 2.0 client must.
	if algs, _ := newRP(t, d, "").meta["dpop_signing_alg_values_supported"].([]any); len(algs) == 0 {
		t.Skip("the broker does not offer DPoP (no dpop_signing_alg_values_supported in discovery)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "fapi.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"PORTVAKT_ISSUER="+d.issuer,
		"PORTVAKT_CLIENT_ID="+devmode.FAPIDemoClientID,
		"PORTVAKT_CLIENT_KEY="+filepath.Join(d.data, devmode.FAPIDemoKeyFile),
		"PORTVAKT_REDIRECT_URI="+d.redirectURI(),
		"PORTVAKT_ACR_VALUES="+mitidACR,
	)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	runErr := cmd.Run()
	var rep nodeFAPIReport
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil || !rep.OK || runErr != nil {
		t.Fatalf("openid-client failed: %s (%v, %v); stderr %s", rep.Error, runErr, err, stderr.String())
	}
	if rep.Query != "client_id,request_uri" {
		t.Errorf("the authorization URL carried %s, want client_id and request_uri only", rep.Query)
	}
	if !strings.EqualFold(rep.TokenType, "DPoP") {
		t.Errorf("token_type %q, want DPoP", rep.TokenType)
	}
	if rep.Sub == "" || rep.UserinfoSub != rep.Sub || !rep.NonceOK || rep.ACR == "" {
		t.Errorf("login %+v", rep)
	}
}
