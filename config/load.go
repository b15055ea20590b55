package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads, expands and validates a configuration file. The error lists every
// problem found, one per line.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path) //nolint:gosec // G304: the operator names the configuration file
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return parse(b, os.LookupEnv, path)
}

// Parse is Load on bytes, with lookup standing in for the environment.
func Parse(b []byte, lookup func(string) (string, bool)) (*Config, error) {
	return parse(b, lookup, "the configuration")
}

func parse(b []byte, lookup func(string) (string, bool), name string) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("parse config: %w", err)
	}
	source := masterKeySource(&root, name)
	var missing []string
	expandNode(&root, lookup, &missing)
	var problems Problems
	for _, name := range uniqueSorted(missing) {
		problems.Add("environment variable %s is referenced but not set", name)
	}
	cfg := new(Config)
	if len(root.Content) > 0 {
		var out bytes.Buffer
		enc := yaml.NewEncoder(&out)
		if err := enc.Encode(&root); err != nil {
			return nil, fmt.Errorf("re-encode config: %w", err)
		}
		dec := yaml.NewDecoder(&out)
		dec.KnownFields(true)
		if err := dec.Decode(cfg); err != nil {
			problems.Add("%s", strings.TrimPrefix(err.Error(), "yaml: "))
			return nil, problems.Err()
		}
	}
	cfg.MasterKeySource = source
	cfg.ApplyDefaults()
	problems = append(problems, cfg.Validate()...)
	if err := problems.Err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// expandNode replaces ${NAME} in every scalar with the variable's value, on the
// parsed tree rather than the raw text, so a value cannot break the YAML around it.
// "$$" stands for a literal "$".
func expandNode(n *yaml.Node, lookup func(string) (string, bool), missing *[]string) {
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "$") {
		n.Value = os.Expand(strings.ReplaceAll(n.Value, "$$", "\x00"), func(name string) string {
			v, ok := lookup(name)
			if !ok {
				*missing = append(*missing, name)
			}
			return v
		})
		n.Value = strings.ReplaceAll(n.Value, "\x00", "$")
	}
	for _, c := range n.Content {
		expandNode(c, lookup, missing)
	}
}

// masterKeySource describes where master_key comes from, read before ${VAR} is
// expanded: the environment variable it names, or the file itself.
func masterKeySource(root *yaml.Node, name string) string {
	source := "master_key in " + name
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return source
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "master_key" {
			continue
		}
		var vars []string
		os.Expand(strings.ReplaceAll(m.Content[i+1].Value, "$$", ""), func(v string) string { vars = append(vars, v); return "" })
		if len(vars) > 0 {
			return "environment variable " + strings.Join(vars, ", ") + " (" + source + ")"
		}
	}
	return source
}

func uniqueSorted(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// Problems collects validation failures so they can all be reported at once.
type Problems []string

// Add records one problem.
func (p *Problems) Add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// Err is nil without problems, else one error listing them all.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return errors.New("invalid configuration:\n  - " + strings.Join(p, "\n  - "))
}
