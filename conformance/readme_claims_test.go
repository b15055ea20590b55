package conformance_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/provider"
)

// readmeClaimRow is one row of the README's claims table: the claims it names,
// whether they are in the ID token only, and per eID (by idp) whether it gives
// them.
type readmeClaimRow struct {
	claims      []string
	idTokenOnly bool
	given       map[string]bool
}

var backticked = regexp.MustCompile("`([^`]+)`")

// readmeClaimsTable reads the README's claims table and the claims it says every
// ID token has besides ("the usual ...").
func readmeClaimsTable(t *testing.T) (rows []readmeClaimRow, usual []string) {
	t.Helper()
	section := readmeSection(t, "The ID token carries", "Choose eIDs and levels with `acr_values`")
	lines := strings.Split(section, "\n")
	var eids []string
	if _, after, ok := strings.Cut(section, "the usual"); ok {
		sentence, _, _ := strings.Cut(after, ".\n")
		for _, m := range backticked.FindAllStringSubmatch(sentence, -1) {
			usual = append(usual, m[1])
		}
	}
	for _, line := range lines {
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|---") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if eids == nil {
			for _, c := range cells[2:] {
				eids = append(eids, strings.Trim(c, "`"))
			}
			continue
		}
		if len(cells) != 2+len(eids) {
			t.Fatalf("README claims table row %q has %d cells, want %d", line, len(cells), 2+len(eids))
		}
		row := readmeClaimRow{idTokenOnly: strings.Contains(cells[1], "ID token only"), given: map[string]bool{}}
		for _, m := range backticked.FindAllStringSubmatch(cells[0], -1) {
			row.claims = append(row.claims, m[1])
		}
		for i, eid := range eids {
			switch c := cells[2+i]; {
			case strings.HasPrefix(c, "✓"):
				row.given[eid] = true
			case strings.HasPrefix(c, "—"):
			default:
				t.Fatalf("README claims table: cell %q for %s is neither ✓ nor —", c, eid)
			}
		}
		rows = append(rows, row)
	}
	if len(eids) == 0 || len(rows) == 0 {
		t.Fatalf("README has no claims table with a column per eID")
	}
	return rows, usual
}

// The README's claims table says per eID which claims come, in the ID token and in
// userinfo. Log in with each eID (its simulator's default test user, scopes
// openid profile national_id) and hold the table to what arrives: a ✓ claim is
// there, a — claim is not, and the ID token has nothing the README leaves out.
func TestREADMEClaimsTableMatchesEachEID(t *testing.T) {
	rows, usual := readmeClaimsTable(t)
	d := dev(t)
	r := newRP(t, d, "")
	for eid := range rows[0].given {
		t.Run(eid, func(t *testing.T) {
			req := r.newRequest()
			req.params.Set("acr_values", provider.ConnectorURN(eid))
			req.params.Set("scope", "openid profile national_id")
			l := r.login(t, newBrowser(t), req)
			status, userinfo := r.userinfo(t, "get", l.accessToken())
			if status != http.StatusOK {
				t.Fatalf("userinfo: status %d", status)
			}
			if l.claims["idp"] != eid {
				t.Fatalf("logged in with %v, want %s", l.claims["idp"], eid)
			}
			documented := slices.Clone(usual)
			for _, row := range rows {
				for _, claim := range row.claims {
					documented = append(documented, claim)
					_, inID := l.claims[claim]
					_, inUserinfo := userinfo[claim]
					switch {
					case row.given[eid] && !inID:
						t.Errorf("the README says %s gives %s; the ID token has none", eid, claim)
					case !row.given[eid] && (inID || inUserinfo):
						t.Errorf("the README says %s gives no %s; it came: ID token %v, userinfo %v", eid, claim, l.claims[claim], userinfo[claim])
					case row.given[eid] && !row.idTokenOnly && !inUserinfo:
						t.Errorf("the README says userinfo has %s for %s; it has none", claim, eid)
					case row.idTokenOnly && inUserinfo:
						t.Errorf("the README says %s is in the ID token only; userinfo has it too", claim)
					}
				}
			}
			for claim := range l.claims {
				if !slices.Contains(documented, claim) {
					t.Errorf("the ID token has %s, which the README does not document", claim)
				}
			}
		})
	}
}
