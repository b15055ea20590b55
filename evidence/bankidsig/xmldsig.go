package bankidsig

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// XML names of BankID's signature.
const (
	nsDSig         = "http://www.w3.org/2000/09/xmldsig#"
	nsBankID       = "http://www.bankid.com/signature/v1.0.0/types"
	algExcC14N     = "http://www.w3.org/2001/10/xml-exc-c14n#"
	algSHA256      = "http://www.w3.org/2001/04/xmlenc#sha256"
	algECDSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
	algRSASHA256   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	idSignedData   = "bidSignedData"
	idKeyInfo      = "bidKeyInfo"
)

// signedXML is what a genuine XML signature says.
type signedXML struct {
	// certs are KeyInfo's certificates, the person's first.
	certs []*x509.Certificate
	// visible, format and nonVisible are usrVisibleData (decoded), its format
	// attribute and usrNonVisibleData (decoded); nil when absent.
	visible, nonVisible []byte
	format              string
	funcID              string
}

// verifyXML parses BankID's XML signature and checks it: the shape, both
// references and their digests, and the signature value with the key of
// KeyInfo's first certificate. It does not check whom that certificate is from.
func verifyXML(raw []byte) (*signedXML, error) {
	doc := etree.NewDocument()
	doc.ReadSettings = etree.ReadSettings{PreserveDuplicateAttrs: true}
	if err := doc.ReadFromBytes(raw); err != nil {
		return nil, fmt.Errorf("%w: xml: %w", ErrMalformed, err)
	}
	root := doc.Root()
	if root == nil || !is(root, nsDSig, "Signature") {
		return nil, fmt.Errorf("%w: the root is not a Signature", ErrMalformed)
	}
	// One root element and nothing beside it but the declaration and white
	// space: the document is exactly the signature.
	for _, tok := range doc.Child {
		switch t := tok.(type) {
		case *etree.Element:
			if t != root {
				return nil, fmt.Errorf("%w: more than one root element", ErrMalformed)
			}
		case *etree.CharData:
			if strings.TrimSpace(t.Data) != "" {
				return nil, fmt.Errorf("%w: text beside the root element", ErrMalformed)
			}
		case *etree.ProcInst:
			if t.Target != "xml" {
				return nil, fmt.Errorf("%w: a processing instruction beside the root element", ErrMalformed)
			}
		default:
			return nil, fmt.Errorf("%w: %T beside the root element", ErrMalformed, tok)
		}
	}
	ids, err := scan(&doc.Element)
	if err != nil {
		return nil, err
	}
	signedInfo, err := onlyChild(root, nsDSig, "SignedInfo")
	if err != nil {
		return nil, err
	}
	signatureValue, err := onlyChild(root, nsDSig, "SignatureValue")
	if err != nil {
		return nil, err
	}
	// The referenced elements must be where BankID puts them, so that what is
	// read below is what was digested.
	keyInfo, data := ids[idKeyInfo], ids[idSignedData]
	if keyInfo == nil || !is(keyInfo, nsDSig, "KeyInfo") || keyInfo.Parent() != root {
		return nil, fmt.Errorf("%w: no KeyInfo with Id %s in the Signature", ErrMalformed, idKeyInfo)
	}
	if data == nil || !is(data, nsBankID, "bankIdSignedData") || data.Parent() == nil || !is(data.Parent(), nsDSig, "Object") || data.Parent().Parent() != root {
		return nil, fmt.Errorf("%w: no bankIdSignedData with Id %s in an Object of the Signature", ErrMalformed, idSignedData)
	}
	method, err := checkSignedInfo(signedInfo, map[string]*etree.Element{idSignedData: data, idKeyInfo: keyInfo})
	if err != nil {
		return nil, err
	}
	out := &signedXML{}
	if out.certs, err = certificates(keyInfo); err != nil {
		return nil, err
	}
	canonical, err := excC14N(signedInfo, prefixList(child(signedInfo, nsDSig, "CanonicalizationMethod")))
	if err != nil {
		return nil, fmt.Errorf("%w: canonicalize SignedInfo: %w", ErrMalformed, err)
	}
	value, err := decodeText(signatureValue)
	if err != nil {
		return nil, fmt.Errorf("%w: SignatureValue: %w", ErrMalformed, err)
	}
	if err := checkSignature(out.certs[0], method, canonical, value); err != nil {
		return nil, err
	}
	if err := out.readData(data); err != nil {
		return nil, err
	}
	return out, nil
}

// scan walks the document once: it refuses DTDs and duplicate attributes
// (either could make a reader and a verifier see different documents) and
// returns the elements by Id, refusing an Id used twice (signature wrapping).
func scan(el *etree.Element) (map[string]*etree.Element, error) {
	ids := map[string]*etree.Element{}
	var walk func(el *etree.Element, depth int) error
	walk = func(el *etree.Element, depth int) error {
		if depth > maxDepth {
			return fmt.Errorf("%w: nested deeper than %d", ErrMalformed, maxDepth)
		}
		seen := make(map[string]bool, len(el.Attr))
		for _, a := range el.Attr {
			name := a.Space + ":" + a.Key
			if seen[name] {
				return fmt.Errorf("%w: element %s repeats attribute %s", ErrMalformed, el.Tag, a.FullKey())
			}
			seen[name] = true
			if a.Space == "" && a.Key == "Id" {
				if ids[a.Value] != nil {
					return fmt.Errorf("%w: Id %q is used twice", ErrMalformed, a.Value)
				}
				ids[a.Value] = el
			}
		}
		for _, tok := range el.Child {
			switch t := tok.(type) {
			case *etree.Directive:
				return fmt.Errorf("%w: a DTD or other directive", ErrMalformed)
			case *etree.Comment:
				// Exclusive C14N drops comments, so one inside a signed text
				// would leave the digest alone while cutting the text a reader
				// takes from the element (the SAML comment attack).
				return fmt.Errorf("%w: a comment", ErrMalformed)
			case *etree.ProcInst:
				if el.Parent() != nil || t.Target != "xml" {
					return fmt.Errorf("%w: a processing instruction", ErrMalformed)
				}
			case *etree.Element:
				if err := walk(t, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return ids, walk(el, 0)
}

// maxDepth bounds the nesting of a signature document (BankID's is 8 deep):
// canonicalization and namespace lookups recurse.
const maxDepth = 32

// checkSignedInfo checks SignedInfo's algorithms and that its references are
// exactly the two BankID makes, each digest matching its element; it returns
// the signature method.
func checkSignedInfo(signedInfo *etree.Element, targets map[string]*etree.Element) (string, error) {
	c14n, err := onlyChild(signedInfo, nsDSig, "CanonicalizationMethod")
	if err != nil {
		return "", err
	}
	if alg := c14n.SelectAttrValue("Algorithm", ""); alg != algExcC14N {
		return "", fmt.Errorf("%w: canonicalization %q, want exclusive C14N", ErrReference, alg)
	}
	sm, err := onlyChild(signedInfo, nsDSig, "SignatureMethod")
	if err != nil {
		return "", err
	}
	method := sm.SelectAttrValue("Algorithm", "")
	if method != algECDSASHA256 && method != algRSASHA256 {
		return "", fmt.Errorf("%w: signature method %q", ErrReference, method)
	}
	done := map[string]bool{}
	for _, ref := range signedInfo.ChildElements() {
		if !is(ref, nsDSig, "Reference") {
			continue
		}
		uri := ref.SelectAttrValue("URI", "")
		id, ok := strings.CutPrefix(uri, "#")
		target := targets[id]
		if !ok || target == nil || done[id] {
			return "", fmt.Errorf("%w: unexpected reference %q", ErrReference, uri)
		}
		done[id] = true
		if err := checkReference(ref, target); err != nil {
			return "", err
		}
	}
	if len(done) != len(targets) {
		return "", fmt.Errorf("%w: %d of %d references", ErrReference, len(done), len(targets))
	}
	return method, nil
}

func checkReference(ref, target *etree.Element) error {
	uri := ref.SelectAttrValue("URI", "")
	transforms, err := onlyChild(ref, nsDSig, "Transforms")
	if err != nil {
		return fmt.Errorf("%w: reference %s: %w", ErrReference, uri, err)
	}
	list := transforms.ChildElements()
	if len(list) != 1 || !is(list[0], nsDSig, "Transform") || list[0].SelectAttrValue("Algorithm", "") != algExcC14N {
		return fmt.Errorf("%w: reference %s: want one exclusive C14N transform", ErrReference, uri)
	}
	dm, err := onlyChild(ref, nsDSig, "DigestMethod")
	if err != nil {
		return fmt.Errorf("%w: reference %s: %w", ErrReference, uri, err)
	}
	if alg := dm.SelectAttrValue("Algorithm", ""); alg != algSHA256 {
		return fmt.Errorf("%w: reference %s: digest %q, want SHA-256", ErrReference, uri, alg)
	}
	dv, err := onlyChild(ref, nsDSig, "DigestValue")
	if err != nil {
		return fmt.Errorf("%w: reference %s: %w", ErrReference, uri, err)
	}
	want, err := decodeText(dv)
	if err != nil {
		return fmt.Errorf("%w: reference %s: DigestValue: %w", ErrMalformed, uri, err)
	}
	canonical, err := excC14N(target, prefixList(list[0]))
	if err != nil {
		return fmt.Errorf("%w: canonicalize %s: %w", ErrMalformed, uri, err)
	}
	got := sha256.Sum256(canonical)
	if !bytes.Equal(got[:], want) {
		return fmt.Errorf("%w: reference %s", ErrDigest, uri)
	}
	return nil
}

// certificates are KeyInfo's X509Certificates, the person's first.
func certificates(keyInfo *etree.Element) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for _, x509Data := range keyInfo.ChildElements() {
		if !is(x509Data, nsDSig, "X509Data") {
			continue
		}
		for _, el := range x509Data.ChildElements() {
			if !is(el, nsDSig, "X509Certificate") {
				continue
			}
			der, err := decodeText(el)
			if err != nil {
				return nil, fmt.Errorf("%w: X509Certificate: %w", ErrMalformed, err)
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				return nil, fmt.Errorf("%w: X509Certificate: %w", ErrMalformed, err)
			}
			certs = append(certs, cert)
		}
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%w: KeyInfo has no certificate", ErrMalformed)
	}
	return certs, nil
}

// checkSignature verifies the signature value over canonical SignedInfo with
// the certificate's key, whose type must be the method's.
func checkSignature(cert *x509.Certificate, method string, signedInfo, value []byte) error {
	digest := sha256.Sum256(signedInfo)
	switch pub := cert.PublicKey.(type) {
	case *ecdsa.PublicKey:
		// XML-DSig's ECDSA value is r and s side by side, each the curve's size.
		size := (pub.Curve.Params().BitSize + 7) / 8
		if method != algECDSASHA256 || len(value) != 2*size {
			break
		}
		r, s := new(big.Int).SetBytes(value[:size]), new(big.Int).SetBytes(value[size:])
		if ecdsa.Verify(pub, digest[:], r, s) {
			return nil
		}
	case *rsa.PublicKey:
		if method == algRSASHA256 && rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], value) == nil {
			return nil
		}
	}
	return fmt.Errorf("%w: %s with the certificate of %s", ErrSignature, method, cert.Subject.CommonName)
}

// readData reads the signed texts from bankIdSignedData.
func (s *signedXML) readData(data *etree.Element) error {
	for _, el := range data.ChildElements() {
		if el.NamespaceURI() != nsBankID {
			continue
		}
		var err error
		switch el.Tag {
		case "usrVisibleData":
			if s.visible != nil {
				return fmt.Errorf("%w: usrVisibleData twice", ErrMalformed)
			}
			s.format = el.SelectAttrValue("format", "")
			s.visible, err = decodeText(el)
		case "usrNonVisibleData":
			if s.nonVisible != nil {
				return fmt.Errorf("%w: usrNonVisibleData twice", ErrMalformed)
			}
			s.nonVisible, err = decodeText(el)
		case "clientInfo":
			if f := child(el, nsBankID, "funcId"); f != nil {
				s.funcID, err = text(f)
			}
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrMalformed, el.Tag, err)
		}
	}
	return nil
}

// excC14N is el under exclusive XML canonicalization, with the namespaces it
// inherits in the document declared as the algorithm sees them.
func excC14N(el *etree.Element, prefixes string) ([]byte, error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, err
	}
	detached, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, err
	}
	return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(prefixes).Canonicalize(detached)
}

// prefixList is an exclusive C14N algorithm element's InclusiveNamespaces
// PrefixList, or "".
func prefixList(alg *etree.Element) string {
	if alg == nil {
		return ""
	}
	for _, el := range alg.ChildElements() {
		if el.Tag == "InclusiveNamespaces" && el.NamespaceURI() == algExcC14N {
			return el.SelectAttrValue("PrefixList", "")
		}
	}
	return ""
}

// is reports whether el is the element local in namespace ns.
func is(el *etree.Element, ns, local string) bool {
	return el.Tag == local && el.NamespaceURI() == ns
}

// child is el's first child element local in ns, or nil.
func child(el *etree.Element, ns, local string) *etree.Element {
	for _, c := range el.ChildElements() {
		if is(c, ns, local) {
			return c
		}
	}
	return nil
}

// onlyChild is el's one child element local in ns.
func onlyChild(el *etree.Element, ns, local string) (*etree.Element, error) {
	var found *etree.Element
	for _, c := range el.ChildElements() {
		if !is(c, ns, local) {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("%w: %s has two %s", ErrMalformed, el.Tag, local)
		}
		found = c
	}
	if found == nil {
		return nil, fmt.Errorf("%w: %s has no %s", ErrMalformed, el.Tag, local)
	}
	return found, nil
}

// text is all of el's character data; an element inside is an error, so that
// the text read is the whole text signed.
func text(el *etree.Element) (string, error) {
	var b strings.Builder
	for _, tok := range el.Child {
		switch t := tok.(type) {
		case *etree.CharData:
			b.WriteString(t.Data)
		case *etree.Element:
			return "", fmt.Errorf("%w: %s holds an element", ErrMalformed, el.Tag)
		}
	}
	return b.String(), nil
}

// decodeText decodes el's text as standard base64, which XML may have broken
// into lines.
func decodeText(el *etree.Element) ([]byte, error) {
	t, err := text(el)
	if err != nil {
		return nil, err
	}
	return decodeB64(t)
}

// decodeB64 decodes standard base64 that XML may have broken into lines.
func decodeB64(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
}
