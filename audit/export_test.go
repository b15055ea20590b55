package audit

import "github.com/portvakt/portvakt/storage"

// ChainKeyOf is the keyed chain under key, for tests that write records as a
// holder of the key would.
func ChainKeyOf(key []byte) storage.AuditChain { return chainKey{key: key} }

// Sign gives c the MAC t's chain key makes, as the version that wrote c would
// have (a checkpoint without Heads is one from when there was one chain).
func (t *Trail) Sign(c Checkpoint) Checkpoint {
	c.MAC = t.chain.checkpointMAC(c)
	return c
}
