package conformance

import (
	"slices"
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
)

var openOrderTests = []namedTest{
	{"KeptAndReplaced", testOpenOrderKeptAndReplaced},
	{"ExpiredOpenOrders", testExpiredOpenOrders},
	{"PurgeWaitsForCancel", testPurgeWaitsForOpenOrders},
	{"OpenOrdersByPrefix", testOpenOrdersByPrefix},
}

// testOpenOrderKeptAndReplaced: the open-order mark is stored on create and
// changed by a replace, like the request's other mutable fields.
func testOpenOrderKeptAndReplaced(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	ar := newAuthRequest("ar")
	ar.OpenOrder = true
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, ar))
	got, err := s.GetAuthRequest(ctx, "ar")
	mustNoErr(t, "GetAuthRequest", err)
	if !got.OpenOrder {
		t.Fatal("OpenOrder was not kept on create")
	}
	got.OpenOrder = false
	stored, err := s.ReplaceAuthRequest(ctx, got)
	mustNoErr(t, "ReplaceAuthRequest", err)
	if stored.OpenOrder {
		t.Error("ReplaceAuthRequest returned OpenOrder true, want false")
	}
	got, err = s.GetAuthRequest(ctx, "ar")
	mustNoErr(t, "GetAuthRequest", err)
	if got.OpenOrder {
		t.Error("OpenOrder was not cleared by the replace")
	}
	_, err = s.UpdateAuthRequest(ctx, "ar", func(r storage.AuthRequest) (storage.AuthRequest, error) {
		r.OpenOrder = true
		return r, nil
	})
	mustNoErr(t, "UpdateAuthRequest", err)
	if got, _ := s.GetAuthRequest(ctx, "ar"); !got.OpenOrder {
		t.Error("OpenOrder was not set by an update")
	}
}

// testExpiredOpenOrders lists exactly the expired requests with an open order,
// at most limit of them.
func testExpiredOpenOrders(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	add := func(id string, open bool, expires time.Time) {
		ar := newAuthRequest(id)
		ar.OpenOrder, ar.CreatedAt, ar.ExpiresAt = open, longAgo(), expires
		mustNoErr(t, "CreateAuthRequest "+id, s.CreateAuthRequest(ctx, ar))
	}
	add("open-expired-1", true, past())
	add("open-expired-2", true, now().Add(-time.Minute))
	add("open-live", true, future())
	add("closed-expired", false, past())

	got, err := s.ExpiredOpenOrders(ctx, now(), 10)
	mustNoErr(t, "ExpiredOpenOrders", err)
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
		if !r.OpenOrder || len(r.Data) == 0 {
			t.Errorf("ExpiredOpenOrders returned %s without its order mark or data", r.ID)
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"open-expired-1", "open-expired-2"}) {
		t.Errorf("ExpiredOpenOrders = %v, want the two expired requests with open orders", ids)
	}
	got, err = s.ExpiredOpenOrders(ctx, now(), 1)
	mustNoErr(t, "ExpiredOpenOrders limited", err)
	if len(got) != 1 {
		t.Errorf("ExpiredOpenOrders with limit 1 returned %d", len(got))
	}
	mustNoErr(t, "DeleteAuthRequest", s.DeleteAuthRequest(ctx, "open-expired-1"))
	got, err = s.ExpiredOpenOrders(ctx, now(), 10)
	mustNoErr(t, "ExpiredOpenOrders after delete", err)
	if len(got) != 1 || got[0].ID != "open-expired-2" {
		t.Errorf("after deleting one, ExpiredOpenOrders = %+v", got)
	}
}

// testPurgeWaitsForOpenOrders: an expired request with an open order survives
// the purge until it has been handled or OpenOrderGrace has passed.
func testPurgeWaitsForOpenOrders(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	recent := newAuthRequest("open-recent")
	recent.OpenOrder, recent.CreatedAt, recent.ExpiresAt = true, longAgo(), now().Add(-time.Minute)
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, recent))
	old := newAuthRequest("open-old")
	old.OpenOrder, old.CreatedAt, old.ExpiresAt = true, longAgo(), now().Add(-storage.OpenOrderGrace-time.Minute)
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, old))

	n, err := s.PurgeExpired(ctx, now())
	mustNoErr(t, "PurgeExpired", err)
	if n != 1 {
		t.Errorf("PurgeExpired removed %d rows, want 1 (the one past the grace)", n)
	}
	got, err := s.ExpiredOpenOrders(ctx, now(), 10)
	mustNoErr(t, "ExpiredOpenOrders", err)
	if len(got) != 1 || got[0].ID != "open-recent" {
		t.Errorf("after the purge, ExpiredOpenOrders = %+v, want open-recent only", got)
	}
}

// testOpenOrdersByPrefix lists the live requests with open orders under an id
// prefix, in id order, page by page: what a background collector polls.
func testOpenOrdersByPrefix(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	add := func(id string, open bool, expires time.Time) {
		ar := newAuthRequest(id)
		ar.OpenOrder, ar.CreatedAt, ar.ExpiresAt = open, longAgo(), expires
		mustNoErr(t, "CreateAuthRequest "+id, s.CreateAuthRequest(ctx, ar))
	}
	add("bc.c", true, future())
	add("bc.a", true, future())
	add("bc.b", true, future())
	add("bc.closed", false, future())
	add("bc.expired", true, past())
	add("bc-other", true, future()) // sorts after the prefix's range
	add("login", true, future())
	list := func(after string, limit int) []string {
		t.Helper()
		got, err := s.OpenOrders(ctx, "bc.", after, now(), limit)
		mustNoErr(t, "OpenOrders", err)
		var ids []string
		for _, r := range got {
			ids = append(ids, r.ID)
			if !r.OpenOrder || len(r.Data) == 0 {
				t.Errorf("OpenOrders returned %s without its order mark or data", r.ID)
			}
		}
		return ids
	}
	if got := list("", 10); !slices.Equal(got, []string{"bc.a", "bc.b", "bc.c"}) {
		t.Errorf("OpenOrders = %v, want bc.a, bc.b, bc.c", got)
	}
	if got := list("", 2); !slices.Equal(got, []string{"bc.a", "bc.b"}) {
		t.Errorf("first page %v", got)
	}
	if got := list("bc.b", 2); !slices.Equal(got, []string{"bc.c"}) {
		t.Errorf("page after bc.b %v", got)
	}
}
