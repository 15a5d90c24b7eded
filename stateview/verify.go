package stateview

import (
	"crypto/ed25519"
	"fmt"
	"strings"

	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/seal"
	"ksmart/replication"
)

// Certificate verification on the state: any local body's certificate
// number (which begins with the body's code, civil.CertificateNumber) is
// looked up by civil's own Verify in that body's documents as the state
// index places them (the certificate record read from the change set
// that last wrote it), and a QR code's signature is checked with the
// body's seal public key as its log published it
// (appliance.PublishedSealKey, or the documents appliance.SealKeysIn
// reads), chosen by the fingerprint the certificate's record names. The
// answer is civil.Verify's, so the office and the state say the same
// things.

// CertificateCheck is the state's answer for a certificate number.
type CertificateCheck struct {
	civil.Verification
	// Body is the local body whose number it is, when the state holds one
	// with that code; BodyName its name.
	Body     string
	BodyName domain.Text
	// Status is how far the state index trails this node's FSM for the
	// body.
	Status ViewStatus
}

// verify answers for a certificate number and, when given, the QR code's
// digest (d) and signature (s). Bad input is an answer, not an error.
func (x *Index) verify(number, digest, signature string) (CertificateCheck, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	c := CertificateCheck{Verification: civil.Verification{Number: number}}
	if !seal.ValidNumber(number) {
		c.Problem = domain.T("This is not a certificate number. A certificate number looks like M0701-BC-2026-12: the local body's code, the kind, the year and a serial.",
			"ഇതൊരു സർട്ടിഫിക്കറ്റ് നമ്പറല്ല. സർട്ടിഫിക്കറ്റ് നമ്പർ M0701-BC-2026-12 പോലെയാണ്: തദ്ദേശ സ്ഥാപനത്തിന്റെ കോഡ്, തരം, വർഷം, ക്രമനമ്പർ.")
		return c, nil
	}
	bodies, err := x.src.Bodies()
	if err != nil {
		return c, err
	}
	// The longest code the number begins with: codes may hold hyphens.
	var info replication.BodyInfo
	for _, b := range bodies {
		if strings.HasPrefix(number, b.Code+"-") && len(b.Code) > len(info.Code) {
			info = b
		}
	}
	if info.Code == "" {
		code, _, _ := strings.Cut(number, "-")
		c.OtherBody = code
		c.Problem = domain.T(
			fmt.Sprintf("No local body with the code %s sends its records to the state, so this number cannot be checked here. Check the number, or verify the certificate at the issuing local body's site.", code),
			fmt.Sprintf("%s എന്ന കോഡുള്ള ഒരു തദ്ദേശ സ്ഥാപനവും സംസ്ഥാനത്തേക്ക് രേഖകൾ അയയ്ക്കുന്നില്ല; അതിനാൽ ഈ നമ്പർ ഇവിടെ പരിശോധിക്കാനാവില്ല. നമ്പർ പരിശോധിക്കുക, അല്ലെങ്കിൽ നൽകിയ സ്ഥാപനത്തിന്റെ സൈറ്റിൽ പരിശോധിക്കുക.", code))
		return c, nil
	}
	c.Body = info.Code
	c.BodyName, _, _ = x.bodyName(info.Code)
	c.Status = x.viewStatus(info.Code, info)
	bs := x.state(info.Code)
	switch {
	case c.Status.Partial:
		c.Problem = domain.T(
			"The state holds this local body's log but not its records (it was sent before records were replicated), so certificates cannot be checked here yet. Verify the certificate at the local body's site.",
			"ഈ തദ്ദേശ സ്ഥാപനത്തിന്റെ ലോഗ് സംസ്ഥാനത്തുണ്ട്, പക്ഷേ രേഖകൾ ഇല്ല; അതിനാൽ സർട്ടിഫിക്കറ്റുകൾ ഇവിടെ ഇപ്പോൾ പരിശോധിക്കാനാവില്ല. തദ്ദേശ സ്ഥാപനത്തിന്റെ സൈറ്റിൽ പരിശോധിക്കുക.")
		return c, nil
	case !bs.rec.Identity:
		// Not indexed yet on this node: say so rather than "no such
		// certificate".
		return c, fmt.Errorf("%w: this node has not read %s's records yet; try again in a moment", replication.ErrClosed, info.Code)
	}
	keys, err := x.sealKeys(info.Code)
	if err != nil {
		return c, err
	}
	// civil's own verification, on the body's documents as the state
	// index places them, with the keys the log published: the office and
	// the state say the same things.
	registers := civil.Civil{Records: bodyView{x, info.Code}, LocalBody: bs.rec.Body, SealKeys: func(fp string) ed25519.PublicKey { return keys[fp] }}
	c.Verification, err = registers.Verify(number, digest, signature)
	return c, err
}
