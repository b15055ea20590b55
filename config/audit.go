package config

// Audit configures the audit trail.
type Audit struct {
	// Retention is how long audit records are kept; older ones are purged (the
	// chain stays verifiable). 0 keeps them for ever.
	Retention Duration `yaml:"retention"`
}
