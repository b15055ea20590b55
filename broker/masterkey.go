package broker

import (
	"fmt"

	"github.com/portvakt/portvakt/config"
)

// wrongMasterKey explains a master key that cannot open the database's signing
// keys: the usual cause is a key that was replaced, not tampering, and the fix is
// to bring the old key back, since a new one cannot open existing data.
func wrongMasterKey(cfg *config.Config, err error) error {
	source := cfg.MasterKeySource
	if source == "" {
		source = "master_key"
	}
	return fmt.Errorf("the master key from %s does not open this database: its data was sealed with another master key. "+
		"Start with the key the database was first started with (restore it from where it is kept: a secret store, "+
		"a backup); a new key cannot open existing data: %w", source, err)
}
