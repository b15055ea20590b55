package wiretest

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"testing"
)

// Unset lists the fields of the struct v (recursing into structs and pointers
// to them) that hold their zero value, but for the top-level ones in skip.
func Unset(v any, skip ...string) []string {
	var out []string
	unset(reflect.ValueOf(v), "", skip, &out)
	return out
}

func unset(v reflect.Value, path string, skip []string, out *[]string) {
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		if path == "" && slices.Contains(skip, name) {
			continue
		}
		if path != "" {
			name = path + "." + name
		}
		if f.IsZero() {
			*out = append(*out, name)
			continue
		}
		unset(f, name, nil, out)
	}
}

// Golden reads a golden JSON file, compacted.
func Golden(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out.Bytes()
}
