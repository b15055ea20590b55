package broker_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
)

// TestConnectorConfigKeysAreSnakeCase: the configuration file is snake_case
// throughout, connector configs included.
func TestConnectorConfigKeysAreSnakeCase(t *testing.T) {
	for _, typ := range broker.ConnectorTypes() {
		for _, key := range jsonKeys(reflect.TypeOf(typ.NewConfig()).Elem()) {
			if connectors.SnakeCase(key) != key {
				t.Errorf("connector type %s: config key %q is not snake_case", typ.Name, key)
			}
		}
	}
}

// jsonKeys are the JSON keys of a struct, embedded structs' included.
func jsonKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && name == "":
			keys = append(keys, jsonKeys(f.Type)...)
		case name == "-" || !f.IsExported():
		case name == "":
			keys = append(keys, f.Name)
		default:
			keys = append(keys, name)
		}
	}
	return keys
}

// TestExampleConnectorConfigsAreSnakeCase: the example configuration shows the
// current spelling, not the deprecated one.
func TestExampleConnectorConfigsAreSnakeCase(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "examples", "portvakt.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(b, func(string) (string, bool) {
		return "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cfg.Connectors {
		for key := range c.Config {
			if connectors.SnakeCase(key) != key {
				t.Errorf("connector %s: key %q is the deprecated spelling of %q", c.ID, key, connectors.SnakeCase(key))
			}
		}
	}
}
