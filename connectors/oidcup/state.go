package oidcup

import (
	"encoding/json"
	"fmt"

	"github.com/portvakt/portvakt/connectors"
)

// LoginState is the state a redirect connector keeps between Begin and Finish:
// the upstream client's part and the level the login was asked to reach.
type LoginState struct {
	State
	// Method is the connector method's id.
	Method string `json:"method"`
	// Asked is the level the upstream was asked for; MinLoA the broker's minimum.
	Asked  connectors.LoA `json:"asked"`
	MinLoA connectors.LoA `json:"min_loa"`
}

// Encode serialises the state for the broker to keep.
func (s LoginState) Encode() ([]byte, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode login state: %w", err)
	}
	return b, nil
}

// DecodeLoginState reads what Encode wrote.
func DecodeLoginState(b []byte) (LoginState, error) {
	var s LoginState
	if err := json.Unmarshal(b, &s); err != nil || s.State.State == "" {
		return s, fmt.Errorf("%w: unreadable login state", connectors.ErrInvalidResponse)
	}
	return s, nil
}

// CheckLevel refuses a login whose level is below what was asked or below the
// broker's minimum: a level is never silently downgraded.
func (s LoginState) CheckLevel(got connectors.LoA, upstreamACR string) error {
	if got < s.Asked || got < s.MinLoA {
		return fmt.Errorf("%w: upstream returned %q (%s), asked for %s", connectors.ErrLoANotSupported, upstreamACR, got, max(s.Asked, s.MinLoA))
	}
	return nil
}
