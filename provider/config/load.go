package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads, expands and validates a configuration file. The error lists every
// problem found, one per line.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(b, os.LookupEnv)
}

// Parse is Load on bytes, with lookup standing in for the environment.
func Parse(b []byte, lookup func(string) (string, bool)) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("parse config: %w", err)
	}
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
