package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteRetriesAreExported(t *testing.T) {
	m := New()
	m.AddWriteRetries(func() (uint64, uint64, uint64) { return 7, 2, 1 })
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		"portvakt_db_write_retries_total 7",
		"portvakt_db_write_give_ups_total 2",
		"portvakt_db_write_unknown_outcomes_total 1",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
