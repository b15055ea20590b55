package audit

import "github.com/portvakt/portvakt/storage"

// ChainKeyOf is the keyed chain under key, for tests that write records as a
// holder of the key would.
func ChainKeyOf(key []byte) storage.AuditChain { return chainKey{key: key} }
