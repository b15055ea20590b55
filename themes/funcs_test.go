package themes

import "testing"

func TestImageURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"/static/eids/se-bankid.svg?v=abc", "/static/eids/se-bankid.svg?v=abc"},
		{"https://cdn.acme.example/logo.png", "https://cdn.acme.example/logo.png"},
		{"data:image/png;base64,iVBORw0KGgo=", "data:image/png;base64,iVBORw0KGgo="},
		{"data:image/svg+xml;base64,PHN2Zy8+", "data:image/svg+xml;base64,PHN2Zy8+"},
		{"data:text/html;base64,PHNjcmlwdD4=", ""},
		{"data:image/png,<svg onload=alert(1)>", ""},
		{"data:image/png;base64,\"><script>", ""},
		{"javascript:alert(1)", ""},
		{"//evil.example/logo.png", ""},
		{"http://acme.example/logo.png", ""},
		{"https:///nohost", ""},
	}
	for _, tt := range tests {
		if got := string(imageURL(tt.in)); got != tt.want {
			t.Errorf("imageURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAppURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"bankid:///?autostarttoken=x&redirect=null", "bankid:///?autostarttoken=x&redirect=null"},
		{"frejaeid://bindUserToTransaction?transactionReference=x", "frejaeid://bindUserToTransaction?transactionReference=x"},
		{"https://app.bankid.com/?autostarttoken=x", "https://app.bankid.com/?autostarttoken=x"},
		{"javascript:alert(1)", ""},
		{"data:text/html,x", ""},
		{"vbscript:x", ""},
	}
	for _, tt := range tests {
		if got := string(appURL(tt.in)); got != tt.want {
			t.Errorf("appURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIndentJSON(t *testing.T) {
	if got := indentJSON(`{"a":1}`); got != "{\n  \"a\": 1\n}" {
		t.Errorf("indentJSON = %q", got)
	}
	if got := indentJSON("not json"); got != "not json" {
		t.Errorf("indentJSON(not json) = %q", got)
	}
}
