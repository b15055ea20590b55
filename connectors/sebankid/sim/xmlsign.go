package sim

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// XML names of BankID's signature.
const (
	nsDSig         = "http://www.w3.org/2000/09/xmldsig#"
	nsBankID       = "http://www.bankid.com/signature/v1.0.0/types"
	algExcC14N     = "http://www.w3.org/2001/10/xml-exc-c14n#"
	algECDSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
	algSHA256      = "http://www.w3.org/2001/04/xmlenc#sha256"
	idSignedData   = "bidSignedData"
	idKeyInfo      = "bidKeyInfo"
)

// signedData is what one order's signature covers.
type signedData struct {
	// funcID is "Signing" for sign orders, "Identification" for auth orders.
	funcID string
	// visible and nonVisible are userVisibleData and userNonVisibleData as the
	// relying party sent them (base64), "" when not sent; format is
	// userVisibleDataFormat.
	visible, format, nonVisible string
	// uhi identifies the device.
	uhi string
}

// signXML makes BankID's XML signature of d by pc: an enveloping XML-DSig whose
// two references cover the signed data (bankIdSignedData, Id bidSignedData) and
// the certificates (KeyInfo, Id bidKeyInfo), both under exclusive C14N and
// SHA-256, signed with ECDSA P-256. It returns the document's bytes.
//
// The three signed elements are written directly in their exclusive C14N form
// (namespace declared on each, attributes in canonical order, explicit end
// tags, canonical escaping), so the digests are over exactly the bytes the
// document holds, with no tree to build and canonicalize per order: the cost
// is then mostly two ECDSA signatures. The verifier (evidence/bankidsig)
// canonicalizes the parsed document on its own, with goxmldsig, which the
// tests rely on to check this form.
func (p *signPKI) signXML(pc *personCert, d signedData) ([]byte, error) {
	var nonce [20]byte
	_, _ = rand.Read(nonce[:])
	var data strings.Builder
	data.WriteString(`<bankIdSignedData xmlns="` + nsBankID + `" Id="` + idSignedData + `">`)
	if d.visible != "" {
		data.WriteString(`<usrVisibleData charset="UTF-8"`)
		if d.format != "" {
			data.WriteString(` format="` + escapeAttr(d.format) + `"`)
		}
		data.WriteString(` visible="wysiwys">` + escapeText(d.visible) + `</usrVisibleData>`)
	}
	if d.nonVisible != "" {
		data.WriteString(`<usrNonVisibleData>` + escapeText(d.nonVisible) + `</usrNonVisibleData>`)
	}
	data.WriteString(`<srvInfo>` +
		`<name>` + b64("cn=Simulated relying party,o=portvakt simulator,c=SE") + `</name>` +
		`<nonce>` + base64.StdEncoding.EncodeToString(nonce[:]) + `</nonce>` +
		`<displayName>` + b64("Simulated relying party") + `</displayName>` +
		`</srvInfo>`)
	data.WriteString(`<clientInfo><funcId>` + d.funcID + `</funcId><version>` + b64("portvakt-sim=1.0") + `</version>` +
		`<env><ai><type>` + b64("SIMULATOR") + `</type><deviceInfo>` + b64("portvakt BankID simulator") + `</deviceInfo>` +
		`<uhi>` + escapeText(d.uhi) + `</uhi><fsib>0</fsib><utb>cs1</utb>` +
		`<requirement><condition><type>AllowedPP</type><value>1.2.752.78.1.5</value></condition></requirement>` +
		`<uauth>pw</uauth></ai></env></clientInfo></bankIdSignedData>`)

	keyInfo := `<KeyInfo xmlns="` + nsDSig + `" Id="` + idKeyInfo + `"><X509Data>` +
		`<X509Certificate>` + pc.certB64 + `</X509Certificate>` +
		`<X509Certificate>` + p.caB64 + `</X509Certificate>` +
		`</X509Data></KeyInfo>`

	dataDigest, keyInfoDigest := sha256.Sum256([]byte(data.String())), sha256.Sum256([]byte(keyInfo))
	reference := func(attrs string, digest [32]byte) string {
		return `<Reference ` + attrs + `><Transforms><Transform Algorithm="` + algExcC14N + `"></Transform></Transforms>` +
			`<DigestMethod Algorithm="` + algSHA256 + `"></DigestMethod>` +
			`<DigestValue>` + base64.StdEncoding.EncodeToString(digest[:]) + `</DigestValue></Reference>`
	}
	signedInfo := `<SignedInfo xmlns="` + nsDSig + `">` +
		`<CanonicalizationMethod Algorithm="` + algExcC14N + `"></CanonicalizationMethod>` +
		`<SignatureMethod Algorithm="` + algECDSASHA256 + `"></SignatureMethod>` +
		reference(`Type="`+nsBankID+`" URI="#`+idSignedData+`"`, dataDigest) +
		reference(`URI="#`+idKeyInfo+`"`, keyInfoDigest) +
		`</SignedInfo>`
	digest := sha256.Sum256([]byte(signedInfo))
	rr, ss, err := ecdsa.Sign(rand.Reader, pc.key, digest[:])
	if err != nil {
		return nil, fmt.Errorf("sim: sign: %w", err)
	}
	// XML-DSig's ECDSA value is r and s side by side, each the curve's size.
	value := make([]byte, 64)
	rr.FillBytes(value[:32])
	ss.FillBytes(value[32:])

	var doc bytes.Buffer
	doc.Grow(len(signedInfo) + len(keyInfo) + data.Len() + 256)
	doc.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="no"?>`)
	doc.WriteString(`<Signature xmlns="` + nsDSig + `">`)
	doc.WriteString(signedInfo)
	doc.WriteString(`<SignatureValue>` + base64.StdEncoding.EncodeToString(value) + `</SignatureValue>`)
	doc.WriteString(keyInfo)
	doc.WriteString(`<Object>` + data.String() + `</Object></Signature>`)
	return doc.Bytes(), nil
}

// escapeText and escapeAttr escape as exclusive C14N writes text and
// attribute values; parsed back, they give the same canonical form.
var (
	escapeText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#xD;").Replace
	escapeAttr = strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;", "\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;").Replace
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// signOrder makes a completed order's signature and OCSP response as collect
// returns them (base64), made at the simulated time at.
func (p *signPKI) signOrder(u TestUser, d signedData, at time.Time) (signature, ocspResponse string, err error) {
	pc, err := p.person(u)
	if err != nil {
		return "", "", err
	}
	xml, err := p.signXML(pc, d)
	if err != nil {
		return "", "", err
	}
	signature = base64.StdEncoding.EncodeToString(xml)
	der, err := p.ocspGood(pc, signature, at)
	if err != nil {
		return "", "", err
	}
	return signature, base64.StdEncoding.EncodeToString(der), nil
}
