package config

// Audit configures the audit trail.
type Audit struct {
	// Retention is how long audit records are kept; older ones are purged (the
	// chain stays verifiable). 0 keeps them for ever.
	Retention Duration `yaml:"retention"`
	// AnchorInterval is how often each broker process records the other
	// processes' chain heads in its own chain (0: once a minute). A chain is
	// tied to the others, and so cannot be dropped or cut back unnoticed
	// without a checkpoint, from the next anchor after its records.
	AnchorInterval Duration `yaml:"anchor_interval"`
}
