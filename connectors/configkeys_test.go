package connectors

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"clientID": "client_id", "pkcs12File": "pkcs12_file", "signingKeyPEM": "signing_key_pem",
		"sendCPRHint": "send_cpr_hint", "baseURL": "base_url", "caPEM": "ca_pem", "spName": "sp_name",
		"issuer": "issuer", "client_id": "client_id", "requestCPR": "request_cpr",
	} {
		if got := SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

type upstreamish struct {
	ClientID string `json:"client_id"`
}

type keysConfig struct {
	upstreamish
	PKCS12File  string `json:"pkcs12_file,omitempty"`
	SendCPRHint bool   `json:"send_cpr_hint,omitempty"`
	got         *keysConfig
}

func (c *keysConfig) Open(context.Context, string, Deps) (Connector, error) {
	*c.got = *c
	return nil, nil
}

// TestRegistryReadsOldCamelCaseKeys: connector configs were camelCase before
// every key was snake_case; the old spelling still works, with a warning at
// start-up that names the old and the new key.
func TestRegistryReadsOldCamelCaseKeys(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		warned    []string
		wantErr   string
	}{
		{"snake_case", `{"client_id":"a","pkcs12_file":"/rp.p12","send_cpr_hint":true}`, nil, ""},
		{"camelCase", `{"clientID":"a","pkcs12File":"/rp.p12","sendCPRHint":true}`,
			[]string{"old=clientID new=client_id", "old=pkcs12File new=pkcs12_file", "old=sendCPRHint new=send_cpr_hint"}, ""},
		{"both spellings", `{"clientID":"a","client_id":"b"}`, nil, `both "client_id" and its old spelling "clientID"`},
		{"unknown key", `{"clientId":"a","colour":"blue"}`, nil, `unknown field "colour"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got keysConfig
			reg := Registry{{Name: "x", NewConfig: func() Config { return &keysConfig{got: &got} }}}
			var logs bytes.Buffer
			_, err := reg.Open(context.Background(), "x", "x-1", json.RawMessage(tc.raw), Deps{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ClientID != "a" || got.PKCS12File != "/rp.p12" || !got.SendCPRHint {
				t.Errorf("decoded %+v", got)
			}
			for _, w := range tc.warned {
				if !strings.Contains(logs.String(), w) || !strings.Contains(logs.String(), "connector=x-1") {
					t.Errorf("no warning naming %s for connector x-1 in:\n%s", w, logs.String())
				}
			}
			if len(tc.warned) == 0 && logs.Len() > 0 {
				t.Errorf("warned about current keys:\n%s", logs.String())
			}
		})
	}
}
