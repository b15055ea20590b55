package sim

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
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
func (p *signPKI) signXML(pc *personCert, d signedData) ([]byte, error) {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8" standalone="no"`)
	sig := doc.CreateElement("Signature")
	sig.CreateAttr("xmlns", nsDSig)
	signedInfo := sig.CreateElement("SignedInfo")
	signedInfo.CreateAttr("xmlns", nsDSig)
	signatureValue := sig.CreateElement("SignatureValue")

	keyInfo := sig.CreateElement("KeyInfo")
	keyInfo.CreateAttr("xmlns", nsDSig)
	keyInfo.CreateAttr("Id", idKeyInfo)
	x509Data := keyInfo.CreateElement("X509Data")
	x509Data.CreateElement("X509Certificate").SetText(pc.certB64)
	x509Data.CreateElement("X509Certificate").SetText(p.caB64)

	data := sig.CreateElement("Object").CreateElement("bankIdSignedData")
	data.CreateAttr("xmlns", nsBankID)
	data.CreateAttr("Id", idSignedData)
	if d.visible != "" {
		v := data.CreateElement("usrVisibleData")
		v.CreateAttr("charset", "UTF-8")
		v.CreateAttr("visible", "wysiwys")
		if d.format != "" {
			v.CreateAttr("format", d.format)
		}
		v.SetText(d.visible)
	}
	if d.nonVisible != "" {
		data.CreateElement("usrNonVisibleData").SetText(d.nonVisible)
	}
	var nonce [20]byte
	_, _ = rand.Read(nonce[:])
	srv := data.CreateElement("srvInfo")
	srv.CreateElement("name").SetText(b64("cn=Simulated relying party,o=portvakt simulator,c=SE"))
	srv.CreateElement("nonce").SetText(base64.StdEncoding.EncodeToString(nonce[:]))
	srv.CreateElement("displayName").SetText(b64("Simulated relying party"))
	client := data.CreateElement("clientInfo")
	client.CreateElement("funcId").SetText(d.funcID)
	client.CreateElement("version").SetText(b64("portvakt-sim=1.0"))
	ai := client.CreateElement("env").CreateElement("ai")
	ai.CreateElement("type").SetText(b64("SIMULATOR"))
	ai.CreateElement("deviceInfo").SetText(b64("portvakt BankID simulator"))
	ai.CreateElement("uhi").SetText(d.uhi)
	ai.CreateElement("fsib").SetText("0")
	ai.CreateElement("utb").SetText("cs1")
	cond := ai.CreateElement("requirement").CreateElement("condition")
	cond.CreateElement("type").SetText("AllowedPP")
	cond.CreateElement("value").SetText("1.2.752.78.1.5")
	ai.CreateElement("uauth").SetText("pw")

	signedInfo.CreateElement("CanonicalizationMethod").CreateAttr("Algorithm", algExcC14N)
	signedInfo.CreateElement("SignatureMethod").CreateAttr("Algorithm", algECDSASHA256)
	for _, ref := range []struct {
		el       *etree.Element
		id, kind string
	}{{data, idSignedData, nsBankID}, {keyInfo, idKeyInfo, ""}} {
		canonical, err := excC14N(ref.el)
		if err != nil {
			return nil, err
		}
		digest := sha256.Sum256(canonical)
		r := signedInfo.CreateElement("Reference")
		if ref.kind != "" {
			r.CreateAttr("Type", ref.kind)
		}
		r.CreateAttr("URI", "#"+ref.id)
		r.CreateElement("Transforms").CreateElement("Transform").CreateAttr("Algorithm", algExcC14N)
		r.CreateElement("DigestMethod").CreateAttr("Algorithm", algSHA256)
		r.CreateElement("DigestValue").SetText(base64.StdEncoding.EncodeToString(digest[:]))
	}
	canonical, err := excC14N(signedInfo)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256(canonical)
	rr, ss, err := ecdsa.Sign(rand.Reader, pc.key, digest[:])
	if err != nil {
		return nil, fmt.Errorf("sim: sign: %w", err)
	}
	// XML-DSig's ECDSA value is r and s side by side, each the curve's size.
	value := make([]byte, 64)
	rr.FillBytes(value[:32])
	ss.FillBytes(value[32:])
	signatureValue.SetText(base64.StdEncoding.EncodeToString(value))
	return doc.WriteToBytes()
}

// excC14N is el under exclusive XML canonicalization, with the namespaces it
// inherits declared as a verifier who resolves it by Id sees them.
func excC14N(el *etree.Element) ([]byte, error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, err
	}
	detached, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, err
	}
	return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("").Canonicalize(detached)
}

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
