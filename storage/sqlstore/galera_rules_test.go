package sqlstore_test

import (
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
)

// bannedSQL are constructs that guard nothing across Galera nodes or are not
// replicated: named locks and table locks are node-local, SELECT ... FOR UPDATE
// locks only the node it runs on, MyISAM rows are not replicated, and XA is
// refused.
var bannedSQL = []struct {
	name    string
	pattern *regexp.Regexp
}{
	{"MyISAM", regexp.MustCompile(`(?i)\bmyisam\b`)},
	{"GET_LOCK", regexp.MustCompile(`(?i)\bget_lock\b`)},
	{"LOCK TABLES", regexp.MustCompile(`(?i)\block\s+tables?\b`)},
	{"XA", regexp.MustCompile(`(?i)\bxa\s+(start|begin|end|prepare|commit|rollback|recover)\b`)},
	{"FOR UPDATE", regexp.MustCompile(`(?i)\bfor\s+update\b`)},
}

// bannedSQLAllowed lists the files (relative to storage/) that may still use a
// banned construct, and why: none since the audit chain head stopped being
// locked with FOR UPDATE.
var bannedSQLAllowed = map[string]map[string]string{}

// TestNoNodeLocalLocks scans the migrations and the Go sources of storage/
// (comments aside) for constructs that do not hold on Galera.
func TestNoNodeLocalLocks(t *testing.T) {
	root := os.DirFS("..")
	scanned := 0
	err := fs.WalkDir(root, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		isGo := strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go")
		isSQL := strings.HasSuffix(path, ".sql")
		if !isGo && !isSQL {
			return nil
		}
		body, err := fs.ReadFile(root, path)
		if err != nil {
			return err
		}
		scanned++
		rel := path // slash-separated, relative to storage/
		for n, line := range strings.Split(string(body), "\n") {
			code := strings.TrimSpace(line)
			if (isGo && strings.HasPrefix(code, "//")) || (isSQL && strings.HasPrefix(code, "--")) {
				continue
			}
			for _, b := range bannedSQL {
				if !b.pattern.MatchString(code) {
					continue
				}
				if _, ok := bannedSQLAllowed[rel][b.name]; ok {
					continue
				}
				t.Errorf("%s:%d uses %s, which does not hold across Galera nodes: %s", rel, n+1, b.name, code)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 20 {
		t.Fatalf("scanned %d files; the walk missed storage/", scanned)
	}
}
