package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHealthExitsByReadiness(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   int
	}{{http.StatusOK, 0}, {http.StatusServiceUnavailable, 1}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/readyz" {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(tc.status)
		}))
		var stdout, stderr bytes.Buffer
		if got := run(context.Background(), []string{"health", "--url", srv.URL + "/readyz"}, &stdout, &stderr); got != tc.code {
			t.Errorf("readyz %d: exit %d, want %d; stderr %s", tc.status, got, tc.code, stderr.String())
		}
		srv.Close()
	}
}
