package demo

import (
	"fmt"
	"testing"
	"time"
)

// The demo's memory is bounded: past the cap the oldest entry goes, and an
// expired entry is gone.
func TestStoreIsBounded(t *testing.T) {
	now := time.Unix(0, 0)
	s := newStore[int](3, time.Minute, func() time.Time { return now })
	for i := range 10 {
		now = now.Add(time.Second)
		s.put(fmt.Sprint(i), i)
	}
	if len(s.entries) != 3 {
		t.Fatalf("%d entries, want at most 3", len(s.entries))
	}
	if _, ok := s.get("0"); ok {
		t.Error("the oldest entry is still there")
	}
	if v, ok := s.take("9"); !ok || v != 9 {
		t.Errorf("take(9) = %v, %v", v, ok)
	}
	if _, ok := s.take("9"); ok {
		t.Error("an entry was taken twice")
	}
	now = now.Add(2 * time.Minute)
	if _, ok := s.get("8"); ok {
		t.Error("an expired entry is still returned")
	}
}
