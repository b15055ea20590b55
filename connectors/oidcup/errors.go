package oidcup

import (
	"fmt"

	"github.com/portvakt/portvakt/connectors"
)

// upstreamErr marks a transport failure, timeout or unusable answer.
func upstreamErr(err error) error {
	return fmt.Errorf("%w: %w", connectors.ErrUpstream, err)
}

// invalidErr marks an answer that failed verification.
func invalidErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", connectors.ErrInvalidResponse, fmt.Sprintf(format, args...))
}
