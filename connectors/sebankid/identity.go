package sebankid

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/nationalid"
)

// evidence is the proof kept with a BankID login.
type evidence struct {
	OrderRef        string           `json:"orderRef"`
	Signature       string           `json:"signature"`
	OCSPResponse    string           `json:"ocspResponse"`
	Device          CompletionDevice `json:"device"`
	BankIDIssueDate string           `json:"bankIdIssueDate,omitempty"`
	Risk            string           `json:"risk,omitempty"`
	StepUp          *StepUp          `json:"stepUp,omitempty"`
}

// identity builds the Identity from a complete collect answer, refusing one that
// does not name a valid person or names another than the order was restricted to.
func (c *Connector) identity(resp *CollectResponse, state orderState) (*connectors.Identity, error) {
	data := resp.CompletionData
	if data == nil {
		return nil, fmt.Errorf("sebankid poll: complete order without completionData: %w", connectors.ErrInvalidResponse)
	}
	pnr := data.User.PersonalNumber
	if !nationalid.Valid(nationalid.SEPersonnummer, pnr) {
		return nil, fmt.Errorf("sebankid poll: completion personal number %s is invalid: %w", nationalid.Mask(pnr), connectors.ErrInvalidResponse)
	}
	if state.PersonalNumber != "" && pnr != state.PersonalNumber {
		return nil, fmt.Errorf("sebankid poll: completed by %s, order was for %s: %w", nationalid.Mask(pnr), nationalid.Mask(state.PersonalNumber), connectors.ErrInvalidResponse)
	}
	birthdate, err := nationalid.Birthdate(nationalid.SEPersonnummer, pnr)
	if err != nil {
		return nil, fmt.Errorf("sebankid poll: %w: %w", connectors.ErrInvalidResponse, err)
	}
	proof, err := json.Marshal(evidence{
		OrderRef:        resp.OrderRef,
		Signature:       data.Signature,
		OCSPResponse:    data.OCSPResponse,
		Device:          data.Device,
		BankIDIssueDate: data.BankIDIssueDate,
		Risk:            data.Risk,
		StepUp:          data.StepUp,
	})
	if err != nil {
		return nil, fmt.Errorf("sebankid poll: encode evidence: %w", err)
	}
	amr := []string{"bankid"}
	if data.StepUp != nil && data.StepUp.Mrtd {
		amr = append(amr, "mrtd")
	}
	method := MethodOtherDeviceURN
	if state.Method == MethodSameDevice {
		method = MethodSameDeviceURN
	}
	name := data.User.Name
	if name == "" {
		name = strings.TrimSpace(data.User.GivenName + " " + data.User.Surname)
	}
	var signature *connectors.Signature
	if state.Sign != nil {
		if signature, err = c.signature(data, pnr, state.Sign); err != nil {
			return nil, err
		}
	}
	return &connectors.Identity{
		Connector:      c.id,
		Country:        "SE",
		NationalID:     pnr,
		NationalIDType: connectors.IDTypeSEPersonnummer,
		GivenName:      data.User.GivenName,
		FamilyName:     data.User.Surname,
		Name:           name,
		Birthdate:      birthdate.Format(time.DateOnly),
		LoA:            connectors.LoASubstantial,
		Method:         method,
		UpstreamACR:    UpstreamACR,
		AMR:            amr,
		Evidence:       proof,
		Signature:      signature,
	}, nil
}
