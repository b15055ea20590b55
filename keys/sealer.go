package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// sealVersion1 is AES-256-GCM under the master key with a 96-bit random nonce. The
// version byte leads every sealed blob so a later master key or format can coexist
// with blobs sealed under this one.
const sealVersion1 byte = 1

// MasterKeySize is the length of the master key in bytes (AES-256).
const MasterKeySize = 32

// ErrDecrypt means a sealed blob could not be opened: the master key is wrong, the
// blob was altered, or it belongs to another row (associated data differs).
var ErrDecrypt = errors.New("keys: cannot decrypt sealed data (wrong master key, tampered or swapped)")

// Sealer encrypts and authenticates data with the master key. It is safe for
// concurrent use.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a Sealer for a 32-byte master key.
func NewSealer(masterKey []byte) (*Sealer, error) {
	if len(masterKey) != MasterKeySize {
		return nil, fmt.Errorf("new sealer: master key is %d bytes, want %d", len(masterKey), MasterKeySize)
	}
	block, err := aes.NewCipher(masterKey)
	if err != nil {
		return nil, fmt.Errorf("new sealer: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("new sealer: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext bound to associatedData (the row's key id or secret name,
// so a blob copied into another row fails to open). The output is
// version || nonce || ciphertext+tag.
func (s *Sealer) Seal(plaintext, associatedData []byte) ([]byte, error) {
	nonceSize := s.aead.NonceSize()
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+s.aead.Overhead())
	out[0] = sealVersion1
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("seal: read nonce: %w", err)
	}
	return s.aead.Seal(out, out[1:], plaintext, //nolint:gosec // G407: the nonce was just read from crypto/rand
		versionedAD(sealVersion1, associatedData)), nil
}

// Open decrypts a blob made by Seal with the same associatedData.
func (s *Sealer) Open(sealed, associatedData []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, fmt.Errorf("open: empty input: %w", ErrDecrypt)
	}
	if sealed[0] != sealVersion1 {
		return nil, fmt.Errorf("open: unknown format version %d: %w", sealed[0], ErrDecrypt)
	}
	nonceSize := s.aead.NonceSize()
	if len(sealed) < 1+nonceSize+s.aead.Overhead() {
		return nil, fmt.Errorf("open: input too short: %w", ErrDecrypt)
	}
	nonce, ciphertext := sealed[1:1+nonceSize], sealed[1+nonceSize:]
	plaintext, err := s.aead.Open(nil, nonce, ciphertext, versionedAD(sealed[0], associatedData))
	if err != nil {
		return nil, fmt.Errorf("open: %w", ErrDecrypt)
	}
	return plaintext, nil
}

// versionedAD authenticates the version byte too, so it cannot be rewritten to make
// a blob be read under another format.
func versionedAD(version byte, associatedData []byte) []byte {
	ad := make([]byte, 0, 1+len(associatedData))
	ad = append(ad, version)
	return append(ad, associatedData...)
}
