package connectors

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// TestDurationReadsTheSameInYAMLAndJSON: the broker's settings are YAML and a
// connector's are JSON decoded from that YAML, so both must read a duration alike.
func TestDurationReadsTheSameInYAMLAndJSON(t *testing.T) {
	for _, tc := range []struct {
		yaml, json string
		want       time.Duration
	}{
		{`"90s"`, `"90s"`, 90 * time.Second},
		{`15m`, `"15m"`, 15 * time.Minute},
		{`2160h`, `"2160h"`, 2160 * time.Hour},
		{`10`, `10`, 10 * time.Second},
		{`1.5`, `1.5`, 1500 * time.Millisecond},
		{`0`, `0`, 0},
		{`"0"`, `"0"`, 0},
		{`"-5s"`, `"-5s"`, -5 * time.Second},
	} {
		var y struct{ D Duration }
		if err := yaml.Unmarshal([]byte("d: "+tc.yaml), &y); err != nil || y.D.D() != tc.want {
			t.Errorf("YAML %s: %v, %v; want %v", tc.yaml, y.D.D(), err, tc.want)
		}
		var j struct{ D Duration }
		if err := json.Unmarshal([]byte(`{"D":`+tc.json+`}`), &j); err != nil || j.D.D() != tc.want {
			t.Errorf("JSON %s: %v, %v; want %v", tc.json, j.D.D(), err, tc.want)
		}
	}
}

func TestDurationRejectsWhatIsNoDuration(t *testing.T) {
	for _, bad := range []string{`"10 parsecs"`, `"soon"`, `"-"`, `"NaN"`, `"1e300"`} {
		var y struct{ D Duration }
		err := yaml.Unmarshal([]byte("d: "+bad), &y)
		if err == nil || !strings.Contains(err.Error(), `like "10s"`) {
			t.Errorf("YAML %s: %v, want an error that shows the form", bad, err)
		}
		var j struct{ D Duration }
		err = json.Unmarshal([]byte(`{"D":`+bad+`}`), &j)
		if err == nil || !strings.Contains(err.Error(), `like "10s"`) {
			t.Errorf("JSON %s: %v, want an error that shows the form", bad, err)
		}
	}
}

func TestDurationWritesAGoDuration(t *testing.T) {
	b, err := json.Marshal(struct{ D Duration }{Duration(90 * time.Second)})
	if err != nil || string(b) != `{"D":"1m30s"}` {
		t.Errorf("JSON %s, %v", b, err)
	}
}
