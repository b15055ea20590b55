package config

// Evidence configures what the broker keeps of signatures.
type Evidence struct {
	// Retention is how long a signature's evidence is kept for its client to
	// fetch again (default ten years); then it is purged and the audit trail
	// records that it existed.
	Retention Duration `yaml:"retention"`
}
