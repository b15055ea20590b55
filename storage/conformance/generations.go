package conformance

import (
	"testing"

	"github.com/portvakt/portvakt/storage"
)

var generationTests = []namedTest{
	{"Bump", testGenerationBump},
}

func testGenerationBump(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	if g := generation(t, s, "never-bumped"); g != 0 {
		t.Errorf("generation of an unknown name = %d, want 0", g)
	}
	mustNoErr(t, "BumpGeneration", s.BumpGeneration(ctx, "custom"))
	g1 := generation(t, s, "custom")
	if g1 <= 0 {
		t.Errorf("generation after a bump = %d, want > 0", g1)
	}
	mustNoErr(t, "BumpGeneration", s.BumpGeneration(ctx, "custom"))
	if g2 := generation(t, s, "custom"); g2 <= g1 {
		t.Errorf("generation after a second bump = %d, want > %d", g2, g1)
	}
	if g := generation(t, s, "other"); g != 0 {
		t.Errorf("bumping one name moved another to %d", g)
	}
}
