package sim

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/portvakt/portvakt/connectors/freja"
)

// transaction is one authentication or signature. Fields are guarded by
// Simulator.mu.
type transaction struct {
	ref      string
	kind     string // auth or sign
	infoType string
	userInfo string
	// person is the key of the person the transaction is for ("SE:1991…",
	// "email:…"), known at the start when it was pushed, else once bound.
	person   string
	pushed   *TestUser
	minLevel string
	qrSecret string
	// text and binary are what a signature shows and signs unseen (binary
	// as sent, base64); signatureType is SIMPLE or EXTENDED.
	text, binary  string
	title         string
	signatureType string
	// wrong makes an approved signature's result sign something else.
	wrong *WrongSignature
	// details is the approved result's details JWS, made once: a result
	// fetched again is the same.
	details string

	createdAt  time.Time
	finishedAt time.Time
	status     string
	user       *TestUser
	sameDevice bool
	returnURL  string
	script     []string
	tamper     bool
	// replayOf is another transaction whose details this one's result carries.
	replayOf string
}

func (t *transaction) final() bool {
	return t.status != freja.StatusStarted && t.status != freja.StatusDeliveredToMobile
}

func (t *transaction) finish(status string, now time.Time) {
	t.status, t.finishedAt = status, now
}

// personKey names a person across transactions.
func personKey(u TestUser) string { return u.Country + ":" + u.SSN }

// TransactionInfo describes a transaction for the app page and tests.
type TransactionInfo struct {
	Ref      string
	Kind     string
	Status   string
	MinLevel string
	// For is the person the transaction was pushed to, or nil.
	For       *TestUser
	Text      string
	Title     string
	CreatedAt time.Time
	HasQR     bool
}

func (t *transaction) info() TransactionInfo {
	return TransactionInfo{
		Ref: t.ref, Kind: t.kind, Status: t.status, MinLevel: t.minLevel, For: t.pushed,
		Text: t.text, Title: t.title, CreatedAt: t.createdAt, HasQR: t.qrSecret != "",
	}
}

// Started is when the transaction started, as the app lists it.
func (i TransactionInfo) Started() string { return i.CreatedAt.Format("15:04:05") }

// Signing reports whether the transaction asks for a signature.
func (i TransactionInfo) Signing() bool { return i.Kind == kindSign }

const (
	kindAuth = "auth"
	kindSign = "sign"
)

// advance moves a transaction on at a result fetch: expiry first, then a
// script step (which approves whoever it names, whatever their level: an
// upstream that misbehaves), then auto-approval.
func (s *Simulator) advance(t *transaction, now time.Time) {
	if t.final() {
		return
	}
	if now.Sub(t.createdAt) >= s.opts.TTL {
		t.finish(freja.StatusExpired, now)
		return
	}
	if len(t.script) > 0 {
		step := t.script[0]
		t.script = t.script[1:]
		if step == freja.StatusApproved {
			s.approveLocked(t, s.defaultUser(t), now)
			return
		}
		t.status = step
		if t.final() {
			t.finishedAt = now
		}
		return
	}
	if s.opts.AutoApprove {
		// A person below the level asked for cannot confirm in the app; they
		// can only decline. A script can make the simulator lie instead.
		u := s.defaultUser(t)
		if !s.opts.IgnoreRegistrationLevel && rank(u.Level) < rank(t.minLevel) {
			t.finish(freja.StatusRejected, now)
			return
		}
		s.approveLocked(t, u, now)
	}
}

// defaultUser is who approves a transaction nobody chose a person for.
func (s *Simulator) defaultUser(t *transaction) TestUser {
	if t.pushed != nil {
		return *t.pushed
	}
	if t.user != nil {
		return *t.user
	}
	return TestUsers()[0]
}

func (s *Simulator) approveLocked(t *transaction, u TestUser, now time.Time) {
	t.user = &u
	t.finish(freja.StatusApproved, now)
}

// result is getOneResult's answer.
func (s *Simulator) result(t *transaction) (map[string]any, error) {
	out := map[string]any{"status": t.status}
	refName := "authRef"
	if t.kind == kindSign {
		refName = "signRef"
	}
	out[refName] = t.ref
	if t.status != freja.StatusApproved || t.user == nil {
		return out, nil
	}
	signed := t
	if other, ok := s.txs[t.replayOf]; ok && other.status == freja.StatusApproved && other.user != nil {
		signed = other
	}
	if signed.details == "" {
		jws, err := s.details(signed)
		if err != nil {
			return nil, err
		}
		signed.details = jws
	}
	jws := signed.details
	if t.tamper {
		jws = tampered(jws)
	}
	out["details"] = jws
	out["requestedAttributes"] = requestedAttributes(*signed.user)
	return out, nil
}

// details signs an approved transaction's details as Freja does; a
// signature's carry the person's signature of what was shown and sent.
func (s *Simulator) details(t *transaction) (string, error) {
	refName := "authRef"
	if t.kind == kindSign {
		refName = "signRef"
	}
	u := *t.user
	if t.wrong != nil && t.wrong.SSN != "" {
		if other, ok := UserBySSN(t.wrong.SSN); ok {
			u = other
		}
	}
	details := map[string]any{
		refName: t.ref, "status": t.status, "userInfoType": t.infoType, "userInfo": t.userInfo,
		"minRegistrationLevel": t.minLevel, "requestedAttributes": requestedAttributes(u),
		"timestamp": t.finishedAt.UnixMilli(),
	}
	if t.kind == kindSign {
		text, binary := []byte(t.text), []byte(nil)
		if t.binary != "" {
			binary, _ = base64.StdEncoding.DecodeString(t.binary) // checked at the start
		}
		if w := t.wrong; w != nil && w.Text != "" {
			text = []byte(w.Text)
		}
		if w := t.wrong; w != nil && w.BinaryData != nil {
			binary = w.BinaryData
		}
		data, err := s.signatureData(u, t.signatureType, text, binary, t.finishedAt)
		if err != nil {
			return "", err
		}
		details["signatureType"] = t.signatureType
		details["signatureData"] = data
	}
	return s.results.sign(details)
}

// tampered swaps a JWS's payload for another person's, keeping the header and
// the signature, as an attacker between Freja and the broker might.
func tampered(jws string) string {
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return jws
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return jws
	}
	other := TestUsers()[1].SSN
	for _, u := range TestUsers() {
		payload = []byte(strings.ReplaceAll(string(payload), `"ssn":"`+u.SSN+`"`, `"ssn":"`+other+`"`))
	}
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

func requestedAttributes(u TestUser) freja.RequestedAttributes {
	attrs := freja.RequestedAttributes{
		BasicUserInfo:     &freja.BasicUserInfo{Name: u.GivenName, Surname: u.Surname},
		SSN:               &freja.SSNUserInfo{Country: u.Country, SSN: u.SSN},
		EmailAddress:      u.Email,
		RegistrationLevel: u.Level,
	}
	if d, ok := birthdate(u); ok {
		attrs.DateOfBirth = d
	}
	return attrs
}

// sweep forgets finished transactions once their result can no longer be
// fetched, at most once per sweepInterval.
func (s *Simulator) sweep(now time.Time) {
	if now.Sub(s.lastSweep) < sweepInterval {
		return
	}
	s.lastSweep = now
	for ref, t := range s.txs {
		if t.forgotten(now) {
			delete(s.txs, ref)
		}
	}
}

func (t *transaction) forgotten(now time.Time) bool {
	return t.final() && now.Sub(t.finishedAt) > keepFinished
}

// activeFor finds the person's transactions in progress.
func (s *Simulator) activeFor(person string, now time.Time) []*transaction {
	var out []*transaction
	if person == "" {
		return nil
	}
	for _, t := range s.txs {
		if t.person == person && !t.final() && now.Sub(t.createdAt) < s.opts.TTL {
			out = append(out, t)
		}
	}
	return out
}
