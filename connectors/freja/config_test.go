package freja_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/freja"
	"github.com/portvakt/portvakt/connectors/freja/sim"
)

func TestConfigRefusesWhatCannotWork(t *testing.T) {
	tests := []struct {
		name   string
		change func(*freja.Config)
		want   string
	}{
		{"no environment", func(c *freja.Config) { c.Environment, c.AppURL = "", "" }, "environment"},
		{"unknown environment", func(c *freja.Config) { c.Environment = "staging" }, "staging"},
		{"basic level", func(c *freja.Config) { c.MinRegistrationLevel = "BASIC" }, "min_registration_level"},
		{"unknown country", func(c *freja.Config) { c.Countries = []string{"SE", "DE"} }, "DE"},
		{"no result certificate", func(c *freja.Config) { c.JWSCertPEM = "" }, "jws_cert"},
		{"no client certificate", func(c *freja.Config) { c.CertPEM, c.KeyPEM = "", "" }, "client certificate"},
		{"no root", func(c *freja.Config) { c.CAPEM = "" }, "ca_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, sim.Options{})
			cfg := *e.cfg
			tt.change(&cfg)
			_, err := cfg.Open(context.Background(), "freja", connectors.Deps{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open = %v, want an error naming %q", err, tt.want)
			}
		})
	}
}

func TestInfoFollowsConfiguration(t *testing.T) {
	e := newEnv(t, sim.Options{})
	info := e.conn.Info()
	if info.ID != "freja" || strings.Join(info.Countries, ",") != "SE,NO,DK,FI" || len(info.Methods) != 2 {
		t.Fatalf("info = %+v", info)
	}
	for _, m := range info.Methods {
		if m.LoA != connectors.LoASubstantial || m.MinLoA != connectors.LoALow {
			t.Errorf("method %s reaches %s..%s, want low..substantial", m.ID, m.MinLoA, m.LoA)
		}
	}
	if info.ACRAliases["urn:grn:authn:se:frejaid"] != "urn:portvakt:eid:se:freja" {
		t.Errorf("aliases = %v", info.ACRAliases)
	}
	plus := newEnv(t, sim.Options{}, func(c *freja.Config) { c.MinRegistrationLevel = "plus" }).conn.Info()
	if plus.Methods[0].MinLoA != connectors.LoASubstantial {
		t.Errorf("with PLUS required the lowest level is %s, want substantial", plus.Methods[0].MinLoA)
	}
	abroad := newEnv(t, sim.Options{}, func(c *freja.Config) { c.Countries = []string{"no", "FI"} }).conn.Info()
	if strings.Join(abroad.Countries, ",") != "NO,FI" || abroad.Methods[0].LoA != connectors.LoALow {
		t.Errorf("without Sweden: %v reaching %s, want NO,FI reaching low", abroad.Countries, abroad.Methods[0].LoA)
	}
}

func TestLevelMapping(t *testing.T) {
	for level, want := range map[string]connectors.LoA{
		freja.LevelPlus: connectors.LoASubstantial, freja.LevelExtended: connectors.LoALow,
		freja.LevelBasic: connectors.LoALow, "LOA9": connectors.LoANone,
	} {
		if got := freja.LevelLoA(level); got != want {
			t.Errorf("LevelLoA(%s) = %s, want %s", level, got, want)
		}
	}
}

// The example configuration's Freja entry has only keys the connector knows,
// and differs from dev mode's only in where the API is and what it trusts.
func TestExampleConfigKeys(t *testing.T) {
	raw, err := os.ReadFile("../../examples/portvakt.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Connectors []struct {
			Type   string         `yaml:"type"`
			Config map[string]any `yaml:"config"`
		} `yaml:"connectors"`
	}
	if err := yaml.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range file.Connectors {
		if c.Type != "freja" {
			continue
		}
		found = true
		b, _ := json.Marshal(c.Config)
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		var cfg freja.Config
		if err := dec.Decode(&cfg); err != nil {
			t.Errorf("example freja config: %v", err)
		}
		if cfg.Environment != "production" || cfg.JWSCertFile == "" {
			t.Errorf("example freja config = %+v", cfg)
		}
	}
	if !found {
		t.Error("examples/portvakt.yaml has no freja connector")
	}
}
