package admin

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestOpenAPIDocumentsEveryRoute: every route the router serves is in the
// checked-in document, and the document has no operation the router lacks.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	served := map[string]bool{}
	for _, rt := range routes {
		key := strings.ToLower(rt.method) + " " + rt.path
		served[key] = true
		if _, ok := doc.Paths[rt.path][strings.ToLower(rt.method)]; !ok {
			t.Errorf("%s %s is served but not in openapi.yaml", rt.method, rt.path)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			if !served[method+" "+path] {
				t.Errorf("openapi.yaml documents %s %s, which the router does not serve", strings.ToUpper(method), path)
			}
		}
	}
}
