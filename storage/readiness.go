package storage

// NotReadyError says the database answers but this connection to it must not
// be used now, and why: a Galera node outside the Primary Component, or not
// Synced. It is ErrUnavailable to errors.Is. The reason is a fixed phrase with
// no data in it, fit for /readyz's answer.
type NotReadyError struct {
	Reason string
}

func (e *NotReadyError) Error() string { return "storage: not ready: " + e.Reason }

func (e *NotReadyError) Unwrap() error { return ErrUnavailable }
