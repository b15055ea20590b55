package conformance

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/portvakt/portvakt/storage"
)

var secretTests = []namedTest{
	{"CreateGet", testSecretCreateGet},
	{"ConcurrentCreate", testSecretConcurrentCreate},
}

func testSecretCreateGet(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	_, err := s.GetSecret(ctx, "cookie-key")
	mustErrIs(t, "GetSecret unknown", err, storage.ErrNotFound)

	value := []byte{0x00, 0x01, 0xfe, 0xff, 'k'}
	mustNoErr(t, "CreateSecret", s.CreateSecret(ctx, "cookie-key", value))
	got, err := s.GetSecret(ctx, "cookie-key")
	mustNoErr(t, "GetSecret", err)
	sameBytes(t, "secret", got, value)

	mustErrIs(t, "CreateSecret again", s.CreateSecret(ctx, "cookie-key", []byte("other")), storage.ErrAlreadyExists)
	got, err = s.GetSecret(ctx, "cookie-key")
	mustNoErr(t, "GetSecret", err)
	sameBytes(t, "secret after second create", got, value)
}

// testSecretConcurrentCreate: processes starting together agree on one secret.
func testSecretConcurrentCreate(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	const creators = 20
	errs := make([]error, creators)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range creators {
		wg.Go(func() {
			<-start
			errs[i] = writer(s, i).CreateSecret(ctx, "master", fmt.Appendf(nil, "value-%d", i))
		})
	}
	close(start)
	wg.Wait()

	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Errorf("creators %d and %d both created the secret", winner, i)
			}
			winner = i
		case !errors.Is(err, storage.ErrAlreadyExists):
			t.Errorf("creator %d: unexpected error %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no creator won")
	}
	got, err := s.GetSecret(ctx, "master")
	mustNoErr(t, "GetSecret", err)
	sameBytes(t, "stored secret", got, fmt.Appendf(nil, "value-%d", winner))
}
