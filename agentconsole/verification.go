package agentconsole

import (
	"context"
	"errors"
	"time"
)

// Verification states, as the page shows them.
const (
	statePending  = "pending"
	stateApproved = "approved"
	stateDeclined = "declined"
	stateExpired  = "expired"
	stateFailed   = "failed"
)

// afterFinish is how long a finished verification's result stays for its page.
const afterFinish = 10 * time.Minute

// verification is one caller verification, sealed in storage for the page
// that started it.
type verification struct {
	Owner     string    `json:"owner"`
	AuthReqID string    `json:"auth_req_id"`
	Country   string    `json:"country"`
	Number    string    `json:"number"`
	Interval  int       `json:"interval"`
	NextPoll  time.Time `json:"next_poll"`
	Expires   time.Time `json:"expires"`
	State     string    `json:"state"`
	Result    *Verified `json:"result,omitempty"`
	Match     bool      `json:"match"`
	Error     string    `json:"error,omitempty"`
}

// status is what the page receives: never the verified national id.
type status struct {
	State   string    `json:"state"`
	Name    string    `json:"name,omitempty"`
	Match   bool      `json:"match"`
	Level   string    `json:"level,omitempty"`
	EID     string    `json:"eid,omitempty"`
	At      time.Time `json:"at,omitzero"`
	Expires time.Time `json:"expires_at"`
	Error   string    `json:"error_description,omitempty"`
}

func (v verification) status() status {
	s := status{State: v.State, Match: v.Match, Expires: v.Expires, Error: v.Error}
	if v.Result != nil {
		s.Name, s.Level, s.EID, s.At = v.Result.Name, v.Result.Level, v.Result.EID, v.Result.At
	}
	return s
}

// advance polls the broker once if the verification is pending and its
// interval has passed, and moves it on by the answer.
func (v *verification) advance(ctx context.Context, ciba *CIBA, now time.Time) (changed bool, err error) {
	if v.State != statePending {
		return false, nil
	}
	if now.After(v.Expires) {
		v.finish(stateExpired, now)
		return true, nil
	}
	if now.Before(v.NextPoll) {
		return false, nil
	}
	who, err := ciba.Poll(ctx, v.AuthReqID)
	var oe *OAuthError
	switch {
	case err == nil:
		v.Result = &who
		v.Match = who.NationalID != "" && who.NationalID == v.Number
		v.finish(stateApproved, now)
	case errors.As(err, &oe) && oe.Code == "authorization_pending":
		v.NextPoll = now.Add(time.Duration(v.Interval) * time.Second)
	case errors.As(err, &oe) && oe.Code == "slow_down":
		v.Interval += 5
		v.NextPoll = now.Add(time.Duration(v.Interval) * time.Second)
	case errors.As(err, &oe) && oe.Code == "access_denied":
		v.finish(stateDeclined, now)
	case errors.As(err, &oe) && oe.Code == "expired_token":
		v.finish(stateExpired, now)
	case errors.As(err, &oe):
		v.Error = oe.Description
		v.finish(stateFailed, now)
	default:
		// The broker could not be asked: try again at the next interval.
		v.NextPoll = now.Add(time.Duration(v.Interval) * time.Second)
		return true, err
	}
	return true, nil
}

// finish ends the verification; its result stays for the page a short while.
func (v *verification) finish(state string, now time.Time) {
	v.State = state
	v.Number = ""
	v.Expires = now.Add(afterFinish)
}
