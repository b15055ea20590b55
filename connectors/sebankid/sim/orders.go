package sim

import (
	"encoding/base64"
	"strings"
	"time"
)

// Order statuses and the hint codes the simulator produces on its own.
const (
	statusPending  = "pending"
	statusFailed   = "failed"
	statusComplete = "complete"

	hintOutstanding = "outstandingTransaction"
	hintUserSign    = "userSign"
	hintExpired     = "expiredTransaction"
	hintUserCancel  = "userCancel"
	hintCancelled   = "cancelled"
)

// Step is one scripted collect result. A Step with Status "complete" completes the
// order; "failed" fails it with HintCode. Status and HintCode are sent as written,
// so odd casing reaches the client unchanged.
type Step struct {
	Status   string
	HintCode string
}

// Pending, Failed and Complete build script steps.
func Pending(hintCode string) Step { return Step{Status: statusPending, HintCode: hintCode} }
func Failed(hintCode string) Step  { return Step{Status: statusFailed, HintCode: hintCode} }
func Complete() Step               { return Step{Status: statusComplete} }

// order is one order's state. Fields are guarded by Simulator.mu.
type order struct {
	ref, autoStartToken, qrStartToken, qrStartSecret string

	kind            string // auth, sign, phone/auth, phone/sign
	personalNumber  string // requirement.personalNumber or the phone order's number
	endUserIP       string
	returnURL       string
	userVisibleData string
	// visibleRaw, visibleFormat and nonVisibleRaw are userVisibleData,
	// userVisibleDataFormat and userNonVisibleData exactly as sent, for the
	// signature.
	visibleRaw, visibleFormat, nonVisibleRaw string
	// callInitiator is a phone order's: user (the person phoned) or RP.
	callInitiator string
	mrtd          bool
	returnRisk    bool
	createdAt     time.Time

	status     string
	hintCode   string
	sameDevice bool // opened by the autostart link rather than a QR code
	user       *TestUser
	finishedAt time.Time
	script     []Step
}

func (o *order) pending() bool { return strings.EqualFold(o.status, statusPending) }

func (o *order) finish(status, hintCode string, now time.Time) {
	o.status, o.hintCode, o.finishedAt = status, hintCode, now
}

// OrderInfo describes an order for the app page and tests.
type OrderInfo struct {
	Ref            string
	Kind           string
	PersonalNumber string
	EndUserIP      string
	ReturnURL      string
	// UserVisibleData is the decoded text shown in the app.
	UserVisibleData string
	// CallInitiator is a phone order's: "user" (the person phoned the
	// service) or "RP" (the service phoned the person); "" for other orders.
	CallInitiator string
	Status        string
	HintCode      string
	CreatedAt     time.Time
	HasQR         bool
}

func (o *order) info() OrderInfo {
	return OrderInfo{
		Ref: o.ref, Kind: o.kind, PersonalNumber: o.personalNumber, EndUserIP: o.endUserIP,
		ReturnURL: o.returnURL, UserVisibleData: o.userVisibleData, CallInitiator: o.callInitiator, Status: o.status,
		HintCode: o.hintCode, CreatedAt: o.createdAt, HasQR: o.qrStartToken != "",
	}
}

// collectResponse is the collect answer as BankID sends it.
type collectResponse struct {
	OrderRef       string          `json:"orderRef"`
	Status         string          `json:"status"`
	HintCode       string          `json:"hintCode,omitempty"`
	CompletionData *completionData `json:"completionData,omitempty"`
}

type completionData struct {
	User struct {
		PersonalNumber string `json:"personalNumber"`
		Name           string `json:"name"`
		GivenName      string `json:"givenName"`
		Surname        string `json:"surname"`
	} `json:"user"`
	Device struct {
		IPAddress string `json:"ipAddress"`
		UHI       string `json:"uhi"`
	} `json:"device"`
	BankIDIssueDate string  `json:"bankIdIssueDate"`
	StepUp          *stepUp `json:"stepUp,omitempty"`
	Signature       string  `json:"signature"`
	OCSPResponse    string  `json:"ocspResponse"`
	Risk            string  `json:"risk,omitempty"`
}

type stepUp struct {
	Mrtd bool `json:"mrtd"`
}

// advance moves an order on at a collect: expiry first, then a script step, then
// auto-approval.
func (s *Simulator) advance(o *order, now time.Time) {
	if !o.pending() {
		return
	}
	if now.Sub(o.createdAt) >= s.opts.OrderTTL {
		o.finish(statusFailed, hintExpired, now)
		return
	}
	if len(o.script) > 0 {
		step := o.script[0]
		o.script = o.script[1:]
		switch {
		case strings.EqualFold(step.Status, statusComplete):
			s.complete(o, "", now)
			o.status = step.Status
		case strings.EqualFold(step.Status, statusPending):
			o.status, o.hintCode = step.Status, step.HintCode
		default:
			o.finish(step.Status, step.HintCode, now)
		}
		return
	}
	if s.opts.AutoApprove {
		s.complete(o, "", now)
	}
}

// complete finishes the order as personalNumber, or else as the order's required
// person or the default user.
func (s *Simulator) complete(o *order, personalNumber string, now time.Time) {
	if personalNumber == "" {
		personalNumber = o.personalNumber
	}
	if personalNumber == "" && o.user != nil {
		personalNumber = o.user.PersonalNumber
	}
	if personalNumber == "" {
		personalNumber = s.opts.DefaultPersonalNumber
	}
	u := userFor(personalNumber)
	o.user = &u
	o.finish(statusComplete, "", now)
}

func (o *order) response() collectResponse {
	resp := collectResponse{OrderRef: o.ref, Status: o.status, HintCode: o.hintCode}
	if !strings.EqualFold(o.status, statusComplete) || o.user == nil {
		return resp
	}
	resp.HintCode = ""
	cd := &completionData{BankIDIssueDate: "2023-01-01"}
	cd.User.PersonalNumber = o.user.PersonalNumber
	cd.User.GivenName = o.user.GivenName
	cd.User.Surname = o.user.Surname
	cd.User.Name = o.user.Name()
	cd.Device.IPAddress = o.endUserIP
	cd.Device.UHI = base64.StdEncoding.EncodeToString([]byte("sim-device:" + o.user.PersonalNumber))
	if o.mrtd {
		cd.StepUp = &stepUp{Mrtd: true}
	}
	if o.returnRisk {
		cd.Risk = "low"
	}
	resp.CompletionData = cd
	return resp
}

// sweep forgets finished orders once BankID would no longer let them be
// collected. Lookups check that themselves (forgotten), so the sweep only bounds
// memory and runs at most once per sweepInterval: a sweep per call would cost
// time in proportion to the orders held, thousands while people look at QR codes.
func (s *Simulator) sweep(now time.Time) {
	if now.Sub(s.lastSweep) < sweepInterval {
		return
	}
	s.lastSweep = now
	for ref, o := range s.orders {
		if o.forgotten(now) {
			delete(s.orders, ref)
		}
	}
}

// forgotten: the order finished long enough ago that BankID no longer knows it.
func (o *order) forgotten(now time.Time) bool {
	if o.pending() {
		return false
	}
	keep := failedKeep
	if strings.EqualFold(o.status, statusComplete) {
		keep = completeKeep
	}
	return now.Sub(o.finishedAt) > keep
}

// inProgressFor finds a pending order for the personal number.
func (s *Simulator) inProgressFor(personalNumber string, now time.Time) *order {
	if personalNumber == "" {
		return nil
	}
	for _, o := range s.orders {
		if o.pending() && now.Sub(o.createdAt) < s.opts.OrderTTL && o.personalNumber == personalNumber {
			return o
		}
	}
	return nil
}

// signedData is what the order's signature covers.
func (o *order) signedData(uhi string) signedData {
	funcID := "Identification"
	if strings.HasSuffix(o.kind, "sign") {
		funcID = "Signing"
	}
	return signedData{funcID: funcID, visible: o.visibleRaw, format: o.visibleFormat, nonVisible: o.nonVisibleRaw, uhi: uhi}
}
