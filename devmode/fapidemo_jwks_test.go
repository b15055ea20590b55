package devmode

import (
	"encoding/json"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// TestFAPIDemoClientRegistersBothKeys: the client's JWKS carries its
// signing key and its encryption key, public halves only.
func TestFAPIDemoClientRegistersBothKeys(t *testing.T) {
	cl, err := fapiDemoClient(Options{Data: t.TempDir(), Issuer: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(cl.JWKS)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	uses := map[string]bool{}
	for _, k := range set.Keys {
		if !k.IsPublic() {
			t.Errorf("key %s of use %s is private", k.KeyID, k.Use)
		}
		uses[k.Use] = true
	}
	if !uses["sig"] || !uses["enc"] {
		t.Errorf("key uses %v, want sig and enc", uses)
	}
}
