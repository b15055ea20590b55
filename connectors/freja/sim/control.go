package sim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/portvakt/portvakt/connectors/freja"
)

// Script sets the statuses of a transaction's result fetches, one per fetch
// (freja.StatusApproved approves as the person it is for or the default user).
// key is an existing transaction's reference, or a person "<country>:<ssn>":
// the next transaction pushed to that person gets the script. After the last
// step the transaction stays where the script left it.
func (s *Simulator) Script(key string, statuses ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.txs[key]; ok {
		t.script = append([]string(nil), statuses...)
		return
	}
	s.scripts[key] = append([]string(nil), statuses...)
}

// PersonKey is the key Script takes for a test user.
func PersonKey(u TestUser) string { return personKey(u) }

// InjectError makes the next count requests to path (such as
// freja.PathInitAuth) answer httpStatus with Freja's error code. The requests
// are still recorded.
func (s *Simulator) InjectError(path string, httpStatus, code, count int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range count {
		s.errors[path] = append(s.errors[path], apiError{status: httpStatus, code: code, message: "Injected by the simulator"})
	}
}

func (s *Simulator) takeInjected(path string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	queue := s.errors[path]
	if len(queue) == 0 {
		return nil
	}
	e := queue[0]
	s.errors[path] = queue[1:]
	return &e
}

// TamperDetails makes the transaction's approved details name another person
// while keeping Freja's signature of the original: a connector must refuse them.
func (s *Simulator) TamperDetails(ref string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.txs[ref]; ok {
		t.tamper = true
	}
}

// WrongSignature is what an approved signature's result signs instead of
// what was sent: a Freja that misbehaves, or details that are genuine but not
// of this request. Empty fields keep what was sent.
type WrongSignature struct {
	Text       string
	BinaryData []byte
	// SSN names another test user as the signer.
	SSN string
}

// SignWrongly makes the signature's approved result, still signed by the
// simulator's key, carry w instead of what was sent: a connector must refuse it.
func (s *Simulator) SignWrongly(ref string, w WrongSignature) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.txs[ref]; ok {
		t.wrong, t.details = &w, ""
	}
}

// ReplayDetails makes the transaction's approved result carry the details
// Freja signed for another approved transaction: genuine, but not for it.
func (s *Simulator) ReplayDetails(ref, from string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.txs[ref]; ok {
		t.replayOf = from
	}
}

// maxRecorded bounds the request log of a long-running dev mode.
const maxRecorded = 1000

func (s *Simulator) record(r RecordedRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) >= maxRecorded {
		s.requests = append(s.requests[:0], s.requests[len(s.requests)-maxRecorded/2:]...)
	}
	s.requests = append(s.requests, r)
}

// Requests returns the API requests received so far, oldest first.
func (s *Simulator) Requests() []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RecordedRequest(nil), s.requests...)
}

// RequestsTo returns the requests received for one path.
func (s *Simulator) RequestsTo(path string) []RecordedRequest {
	var out []RecordedRequest
	for _, r := range s.Requests() {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// Transactions lists the transactions the simulator knows, newest first.
func (s *Simulator) Transactions() []TransactionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TransactionInfo, 0, len(s.txs))
	for _, t := range s.txs {
		out = append(out, t.info())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out
}

// Transaction returns one transaction.
func (s *Simulator) Transaction(ref string) (TransactionInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.txs[ref]
	if !ok {
		return TransactionInfo{}, false
	}
	return t.info(), true
}

// Errors from the app side of the simulator.
var (
	ErrNoSuchTransaction = errors.New("no such transaction")
	ErrOver              = errors.New("transaction is no longer in progress")
	ErrInvalidQR         = errors.New("qr code is not valid")
	ErrQRTooOld          = errors.New("qr code is too old")
	ErrWrongPerson       = errors.New("transaction is for another person")
	ErrLevelTooLow       = errors.New("the person's registration level is below the one asked for")
	ErrUnknownPerson     = errors.New("not a valid personal number of SE, NO, DK or FI")
	// ErrBothCanceled: the person had another transaction in progress; Freja
	// cancelled both.
	ErrBothCanceled = errors.New("another transaction was in progress for the person; both are cancelled")
)

// ScanQR plays the app reading a QR code: a dynamic one is checked against the
// transaction's qrCodeSecret and age, a static one names the transaction. It
// returns the reference; the transaction is then delivered to the app.
func (s *Simulator) ScanQR(content string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(content))
	if err != nil {
		return "", fmt.Errorf("%w: not a link", ErrInvalidQR)
	}
	reference := u.Query().Get("transactionReference")
	if reference == "" {
		return "", fmt.Errorf("%w: no transactionReference", ErrInvalidQR)
	}
	parts := strings.Split(reference, ".")
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.txs[parts[0]]
	if !ok {
		return "", ErrNoSuchTransaction
	}
	if err := s.stillRunning(t, now); err != nil {
		return "", err
	}
	switch {
	case len(parts) == 1 && t.qrSecret == "":
	case len(parts) == 3 && t.qrSecret != "":
		if err := s.checkDynamic(t, parts[1], parts[2], now); err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("%w: want <ref>.<seconds>.<code> for a dynamic code", ErrInvalidQR)
	}
	t.status = freja.StatusDeliveredToMobile
	return t.ref, nil
}

// checkDynamic verifies a dynamic QR code: base64url(HMAC-SHA256(qrCodeSecret,
// seconds)), for a time no later than now and no older than QRMaxAge.
func (s *Simulator) checkDynamic(t *transaction, secondsText, code string, now time.Time) error {
	seconds, err := strconv.ParseInt(secondsText, 10, 64)
	if err != nil || seconds < 0 || strconv.FormatInt(seconds, 10) != secondsText {
		return fmt.Errorf("%w: bad seconds %q", ErrInvalidQR, secondsText)
	}
	mac := hmac.New(sha256.New, []byte(t.qrSecret))
	mac.Write([]byte(secondsText))
	if !hmac.Equal([]byte(base64.RawURLEncoding.EncodeToString(mac.Sum(nil))), []byte(code)) {
		return fmt.Errorf("%w: code does not match", ErrInvalidQR)
	}
	elapsed := now.Sub(t.createdAt)
	claimed := time.Duration(seconds) * time.Second
	if claimed > elapsed+time.Second {
		return fmt.Errorf("%w: code claims %ds, transaction is %s old", ErrInvalidQR, seconds, elapsed)
	}
	if elapsed-claimed > s.opts.QRMaxAge {
		return fmt.Errorf("%w: code from %ds, transaction is %s old", ErrQRTooOld, seconds, elapsed.Truncate(time.Second))
	}
	return nil
}

// OpenApp plays the app opened on this device by an app link: the transaction
// is delivered to it, and the app returns to returnURL when done.
func (s *Simulator) OpenApp(ref, returnURL string) error {
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.txs[ref]
	if !ok {
		return ErrNoSuchTransaction
	}
	if err := s.stillRunning(t, now); err != nil {
		return err
	}
	t.sameDevice, t.returnURL = true, returnURL
	t.status = freja.StatusDeliveredToMobile
	return nil
}

// Approve confirms the transaction as the person with ssn (a test user or any
// valid number; "" means the person it was pushed to, else the default user)
// and returns where the app returns to. A person below the registration level
// asked for cannot approve; a person with another transaction in progress
// cancels both.
func (s *Simulator) Approve(ref, ssn string) (returnURL string, err error) {
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.txs[ref]
	if !ok {
		return "", ErrNoSuchTransaction
	}
	if err := s.stillRunning(t, now); err != nil {
		return "", err
	}
	u := s.defaultUser(t)
	if ssn != "" {
		if u, ok = UserBySSN(ssn); !ok {
			return "", ErrUnknownPerson
		}
	}
	if t.pushed != nil && personKey(*t.pushed) != personKey(u) {
		return "", ErrWrongPerson
	}
	if !s.opts.IgnoreRegistrationLevel && rank(u.Level) < rank(t.minLevel) {
		return "", ErrLevelTooLow
	}
	if t.person == "" {
		if others := s.activeFor(personKey(u), now); len(others) > 0 {
			for _, o := range others {
				o.finish(freja.StatusCanceled, now)
			}
			t.finish(freja.StatusCanceled, now)
			return t.returnURL, ErrBothCanceled
		}
		t.person = personKey(u)
	}
	s.approveLocked(t, u, now)
	return t.returnURL, nil
}

// Reject plays the person declining in the app.
func (s *Simulator) Reject(ref string) (returnURL string, err error) {
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.txs[ref]
	if !ok {
		return "", ErrNoSuchTransaction
	}
	if err := s.stillRunning(t, now); err != nil {
		return "", err
	}
	t.finish(freja.StatusRejected, now)
	return t.returnURL, nil
}

func (s *Simulator) stillRunning(t *transaction, now time.Time) error {
	if !t.final() && now.Sub(t.createdAt) >= s.opts.TTL {
		t.finish(freja.StatusExpired, now)
	}
	if t.final() {
		return ErrOver
	}
	return nil
}

func rank(level string) int {
	switch level {
	case freja.LevelBasic:
		return 1
	case freja.LevelExtended:
		return 2
	case freja.LevelPlus:
		return 3
	}
	return 0
}

// statusForAppError is the HTTP status the app page answers an error with.
func statusForAppError(err error) int {
	if errors.Is(err, ErrNoSuchTransaction) {
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}
