package keys

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func testSealer(t testing.TB) *Sealer {
	t.Helper()
	s, err := NewSealer(bytes.Repeat([]byte{7}, MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealerRoundTrip(t *testing.T) {
	s := testSealer(t)
	for _, plaintext := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("key material "), 100)} {
		sealed, err := s.Seal(plaintext, []byte("kid-1"))
		if err != nil {
			t.Fatal(err)
		}
		if sealed[0] != sealVersion1 {
			t.Errorf("version byte = %d, want %d", sealed[0], sealVersion1)
		}
		// Only a long plaintext can be looked for: one byte turns up in random
		// ciphertext about one time in nine.
		if len(plaintext) >= 16 && bytes.Contains(sealed, plaintext) {
			t.Error("sealed output contains the plaintext")
		}
		opened, err := s.Open(sealed, []byte("kid-1"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(opened, plaintext) {
			t.Errorf("Open = %q, want %q", opened, plaintext)
		}
	}
}

func TestSealerNoncesDiffer(t *testing.T) {
	s := testSealer(t)
	a, _ := s.Seal([]byte("same"), nil)
	b, _ := s.Seal([]byte("same"), nil)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are identical")
	}
}

func TestSealerRejects(t *testing.T) {
	s := testSealer(t)
	sealed, err := s.Seal([]byte("private key"), []byte("kid-1"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewSealer(bytes.Repeat([]byte{8}, MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 1
		return b
	}
	tests := []struct {
		name   string
		sealer *Sealer
		blob   []byte
		ad     string
	}{
		{"associated data swapped", s, sealed, "kid-2"},
		{"associated data missing", s, sealed, ""},
		{"wrong master key", other, sealed, "kid-1"},
		{"version byte changed", s, flip(0), "kid-1"},
		{"nonce changed", s, flip(1), "kid-1"},
		{"ciphertext changed", s, flip(14), "kid-1"},
		{"tag changed", s, flip(len(sealed) - 1), "kid-1"},
		{"truncated", s, sealed[:len(sealed)-1], "kid-1"},
		{"too short", s, sealed[:10], "kid-1"},
		{"empty", s, nil, "kid-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.sealer.Open(tt.blob, []byte(tt.ad))
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("Open error = %v, want ErrDecrypt", err)
			}
		})
	}
}

func TestNewSealerKeyLength(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := NewSealer(make([]byte, n)); err == nil {
			t.Errorf("NewSealer accepted a %d-byte key", n)
		}
	}
}

func TestParseMasterKey(t *testing.T) {
	// 0xfb 0xff ... encodes with '+' '/' in standard and '-' '_' in URL base64.
	key := make([]byte, MasterKeySize)
	b := byte(0xfb)
	for i := range key {
		key[i] = b
		b++
	}
	tests := []struct {
		name  string
		input string
		ok    bool
	}{
		{"hex lower", hex.EncodeToString(key), true},
		{"hex upper", strings.ToUpper(hex.EncodeToString(key)), true},
		{"std padded", base64.StdEncoding.EncodeToString(key), true},
		{"std raw", base64.RawStdEncoding.EncodeToString(key), true},
		{"url padded", base64.URLEncoding.EncodeToString(key), true},
		{"url raw", base64.RawURLEncoding.EncodeToString(key), true},
		{"surrounding whitespace", "  " + base64.StdEncoding.EncodeToString(key) + "\n", true},
		{"empty", "", false},
		{"blank", "   ", false},
		{"hex too short", hex.EncodeToString(key)[:62], false},
		{"hex with bad digit", "zz" + hex.EncodeToString(key)[2:], false},
		{"base64 of 31 bytes", base64.StdEncoding.EncodeToString(key[:31]), false},
		{"base64 of 33 bytes", base64.StdEncoding.EncodeToString(append(bytes.Clone(key), 1)), false},
		{"not an encoding", "correct horse battery staple!!", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMasterKey(tt.input)
			if !tt.ok {
				if err == nil {
					t.Fatalf("ParseMasterKey accepted %q", tt.input)
				}
				if strings.TrimSpace(tt.input) != "" && strings.Contains(err.Error(), strings.TrimSpace(tt.input)) {
					t.Errorf("error %q repeats the input", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, key) {
				t.Errorf("ParseMasterKey = %x, want %x", got, key)
			}
		})
	}
}

func TestGenerateMasterKey(t *testing.T) {
	a, err := GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateMasterKey()
	if a == b {
		t.Fatal("two generated master keys are equal")
	}
	key, err := ParseMasterKey(a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSealer(key); err != nil {
		t.Fatal(err)
	}
}
