package conformance

import (
	"testing"

	"github.com/portvakt/portvakt/storage"
)

// NewRoles returns an empty role store for one test.
type NewRoles func(t *testing.T) storage.Roles

// RunRoleTests runs the role store suite; each subtest gets a fresh store.
func RunRoleTests(t *testing.T, newStore NewRoles) {
	t.Helper()
	runSuite(t, newStore, []suiteTest[storage.Roles]{
		{"GrantIsIdempotent", testRoleGrantIdempotent},
		{"RevokeEndsOnlyThatRole", testRoleRevoke},
		{"ListByRole", testRoleList},
	})
}

func testRoleGrantIdempotent(t *testing.T, s storage.Roles) {
	ctx := t.Context()
	first, err := s.GrantRole(ctx, storage.PersonRole{PersonKey: "pk1", Role: "agent", Label: "**********98", GrantedBy: "cli:a"})
	mustNoErr(t, "grant", err)
	again, err := s.GrantRole(ctx, storage.PersonRole{PersonKey: "pk1", Role: "agent", Label: "x", GrantedBy: "cli:b"})
	mustNoErr(t, "grant again", err)
	if !first || again {
		t.Errorf("grant reported new %v, again %v; want true, false", first, again)
	}
	list, err := s.ListRoles(ctx, "")
	mustNoErr(t, "ListRoles", err)
	if len(list) != 1 || list[0].GrantedBy != "cli:a" || list[0].Label != "**********98" || list[0].GrantedAt.IsZero() {
		t.Errorf("after a repeated grant: %+v, want the first grant only", list)
	}
}

func testRoleRevoke(t *testing.T, s storage.Roles) {
	ctx := t.Context()
	for _, role := range []string{"agent", "admin"} {
		_, err := s.GrantRole(ctx, storage.PersonRole{PersonKey: "pk1", Role: role})
		mustNoErr(t, "grant "+role, err)
	}
	_, err := s.GrantRole(ctx, storage.PersonRole{PersonKey: "pk2", Role: "agent"})
	mustNoErr(t, "grant pk2", err)
	had, err := s.RevokeRole(ctx, "pk1", "agent")
	mustNoErr(t, "revoke", err)
	hadAgain, err := s.RevokeRole(ctx, "pk1", "agent")
	mustNoErr(t, "revoke again", err)
	if !had || hadAgain {
		t.Errorf("revoke reported %v, again %v; want true, false", had, hadAgain)
	}
	got, err := s.RolesOf(ctx, "pk1")
	mustNoErr(t, "RolesOf pk1", err)
	sameStrings(t, "pk1 roles", got, []string{"admin"})
	got, err = s.RolesOf(ctx, "pk2")
	mustNoErr(t, "RolesOf pk2", err)
	sameStrings(t, "pk2 roles", got, []string{"agent"})
	got, err = s.RolesOf(ctx, "nobody")
	mustNoErr(t, "RolesOf nobody", err)
	sameStrings(t, "nobody's roles", got, nil)
}

func testRoleList(t *testing.T, s storage.Roles) {
	ctx := t.Context()
	for _, g := range [][2]string{{"pk2", "agent"}, {"pk1", "auditor"}, {"pk1", "agent"}} {
		_, err := s.GrantRole(ctx, storage.PersonRole{PersonKey: g[0], Role: g[1]})
		mustNoErr(t, "grant", err)
	}
	agents, err := s.ListRoles(ctx, "agent")
	mustNoErr(t, "ListRoles agent", err)
	var keys []string
	for _, r := range agents {
		keys = append(keys, r.PersonKey+"/"+r.Role)
	}
	sameStrings(t, "agents", keys, []string{"pk1/agent", "pk2/agent"})
}
