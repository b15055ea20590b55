package devmode

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/portvakt/portvakt/keys"
)

// MasterKeyEnv is the environment variable `portvakt dev` takes the master key
// from, the same one the example production configuration reads.
const MasterKeyEnv = "PORTVAKT_MASTER_KEY"

// masterKey is dev mode's master key and where it came from.
type masterKey struct {
	value, source string
	// made is the file the key was written to on this start, if it was.
	made string
}

// loadMasterKey takes the key from the options, else from the key file, making
// one there on first start.
func loadMasterKey(o Options) (masterKey, error) {
	if o.MasterKey != "" {
		source := o.MasterKeySource
		if source == "" {
			source = "the MasterKey option"
		}
		return masterKey{value: strings.TrimSpace(o.MasterKey), source: source}, nil
	}
	path := o.MasterKeyFile
	if path == "" {
		path = filepath.Join(o.Data, "master.key")
	}
	source := "key file " + path
	b, err := os.ReadFile(path) //nolint:gosec // G304: the developer names the key file (--master-key-file) or it lies in the data directory
	if err == nil {
		return masterKey{value: strings.TrimSpace(string(b)), source: source}, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return masterKey{}, fmt.Errorf("read master key: %w", err)
	}
	k, err := keys.GenerateMasterKey()
	if err != nil {
		return masterKey{}, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return masterKey{}, fmt.Errorf("create master key directory: %w", err)
	}
	if err := os.WriteFile(path, []byte(k+"\n"), 0o600); err != nil {
		return masterKey{}, fmt.Errorf("write master key: %w", err)
	}
	return masterKey{value: k, source: source + " (made just now: the file did not exist)", made: path}, nil
}

// explain adds to a start-up error caused by a master key that does not open the
// database what to do in dev mode, and removes a key made on this start so that it
// does not stand in the way of the right one.
func (k masterKey) explain(err error, o Options) error {
	if !errors.Is(err, keys.ErrDecrypt) {
		return err
	}
	if k.made != "" {
		_ = os.Remove(k.made)
	}
	reset := "delete " + o.Data
	if o.DBDriver != "sqlite" || o.DSN != "" {
		reset = "drop the database and create it empty"
	}
	return fmt.Errorf("%w\nIn dev mode: give the key the database was first started with through %s or --master-key-file; "+
		"or, if its data may go, %s and start again", err, MasterKeyEnv, reset)
}
