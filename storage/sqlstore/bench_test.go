package sqlstore_test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
	"github.com/portvakt/portvakt/storage/sqlstore"
)

var benchData = json.RawMessage(`{"redirect_uri":"https://rp.example/cb","scope":"openid profile","state":"abc","nonce":"n-0S6_WzA2Mj","code_challenge":"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM","login":{"eid":"se-bankid","order":"ord-1","step":"complete"}}`)

func benchStore(b *testing.B) *sqlstore.Store {
	return openMigrated(b, sqliteConfig(b))
}

// BenchmarkConsumeCode redeems one fresh code per iteration (the request and
// code are written outside the timer).
func BenchmarkConsumeCode(b *testing.B) {
	s := benchStore(b)
	ctx := b.Context()
	now := time.Now()
	i := 0
	for b.Loop() {
		b.StopTimer()
		id := fmt.Sprintf("ar-%d", i)
		code := sha256.Sum256([]byte(id))
		i++
		if err := s.CreateAuthRequest(ctx, storage.AuthRequest{ID: id, ClientID: "rp", Data: benchData, CreatedAt: now, ExpiresAt: now.Add(time.Hour),
			CodeHash: code[:], CodeExpiresAt: now.Add(time.Minute)}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.ConsumeCode(ctx, code[:], now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCreateGetToken(b *testing.B) {
	s := benchStore(b)
	ctx := b.Context()
	now := time.Now()
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("tok-%d", i)
		i++
		if err := s.CreateToken(ctx, benchToken(id, now)); err != nil {
			b.Fatal(err)
		}
		if _, err := s.GetToken(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoginParallel is the storage traffic of one login, from many
// goroutines: create the request, record progress twice (the second write
// issuing the code, as a finishing login does), redeem the code, store the token
// and read it back.
func BenchmarkLoginParallel(b *testing.B) {
	s := benchStore(b)
	ctx := b.Context()
	var seq atomic.Int64
	b.SetParallelism(16) // about 32 logins at once on two cores, as portvakt bench runs
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			now := time.Now()
			id := fmt.Sprintf("ar-%d", n)
			code := sha256.Sum256([]byte(id))
			if err := s.CreateAuthRequest(ctx, storage.AuthRequest{ID: id, ClientID: "rp", Data: benchData, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				b.Fatal(err)
			}
			for step := range 2 {
				if _, err := s.UpdateAuthRequest(ctx, id, func(r storage.AuthRequest) (storage.AuthRequest, error) {
					if step == 1 {
						r.CodeHash, r.CodeExpiresAt = code[:], now.Add(time.Minute)
					}
					return r, nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := s.ConsumeCode(ctx, code[:], now); err != nil {
				b.Fatal(err)
			}
			tokID := fmt.Sprintf("tok-%d", n)
			if err := s.CreateToken(ctx, benchToken(tokID, now)); err != nil {
				b.Fatal(err)
			}
			if _, err := s.GetToken(ctx, tokID); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func benchToken(id string, now time.Time) storage.Token {
	return storage.Token{
		ID: id, ClientID: "rp", Subject: "sub-1", AuthRequestID: "ar-1",
		Scopes: []string{"openid", "profile"}, Audience: []string{"rp"},
		Claims:    json.RawMessage(`{"sub":"sub-1","name":"Test Person"}`),
		CreatedAt: now, ExpiresAt: now.Add(time.Hour),
	}
}
