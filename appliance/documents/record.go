package documents

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"strconv"
	"strings"

	"ksmart/appliance/domain"
)

// A certificate's PDF carries its record in an XMP metadata packet, the
// catalog's /Metadata stream, stored uncompressed:
//
//	<ksmart:certificate>base64 of the canonical JSON</ksmart:certificate>
//	<ksmart:qr>the QR payload, XML-escaped</ksmart:qr>
//
// so that `ksmart verify cert.pdf` can find both in the bytes without a PDF
// library, check the signature in the QR payload against the digest of the
// record, and draw the certificate again to compare bytes.

// xmpNamespace names the elements of the packet; it is a name, not an address.
const xmpNamespace = "urn:ksmart:certificate:1"

const (
	xmpCertOpen  = "<ksmart:certificate>"
	xmpCertClose = "</ksmart:certificate>"
	xmpQROpen    = "<ksmart:qr>"
	xmpQRClose   = "</ksmart:qr>"
)

// certificateXMP is the XMP packet of c's PDF.
func certificateXMP(c Certificate) []byte {
	var b bytes.Buffer
	b.WriteString("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
	b.WriteString("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n")
	b.WriteString("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n")
	b.WriteString("<rdf:Description rdf:about=\"\" xmlns:ksmart=\"" + xmpNamespace + "\">\n")
	b.WriteString(xmpCertOpen)
	b.WriteString(base64.StdEncoding.EncodeToString(c.canonical()))
	b.WriteString(xmpCertClose + "\n")
	b.WriteString(xmpQROpen)
	xml.EscapeText(&b, []byte(c.QR))
	b.WriteString(xmpQRClose + "\n")
	b.WriteString("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"r\"?>")
	return b.Bytes()
}

// ReadCertificate finds the certificate record and QR payload a PDF made by
// Renderer.Certificate carries. The record is the certificate as its digest
// covers it (the local body without wards) and qr is what its QR code
// encodes; drawing the record with QR set to qr, in the same fonts, gives the
// same bytes again unless the file was altered. It returns an EINVALID
// *domain.Error saying so when pdf is not a PDF, carries no certificate record
// (it is some other document), or carries a damaged or repeated one.
func ReadCertificate(pdf []byte) (c Certificate, qr string, err error) {
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return Certificate{}, "", domain.Errorf(domain.EINVALID, "this file is not a PDF")
	}
	record, err := element(pdf, xmpCertOpen, xmpCertClose)
	if err != nil {
		return Certificate{}, "", err
	}
	payload, err := element(pdf, xmpQROpen, xmpQRClose)
	if err != nil {
		return Certificate{}, "", err
	}
	js, err := base64.StdEncoding.DecodeString(string(record))
	if err != nil {
		return Certificate{}, "", domain.Errorf(domain.EINVALID, "the certificate record in this PDF is damaged (not base64: %v)", err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Certificate{}, "", domain.Errorf(domain.EINVALID, "the certificate record in this PDF is damaged (%v)", err)
	}
	var text struct {
		Value string `xml:",chardata"`
	}
	if err := xml.Unmarshal([]byte("<qr>"+string(payload)+"</qr>"), &text); err != nil {
		return Certificate{}, "", domain.Errorf(domain.EINVALID, "the QR payload recorded in this PDF is damaged (%v)", err)
	}
	return c, text.Value, nil
}

// element returns the text between the only open…close pair in pdf.
func element(pdf []byte, open, close string) ([]byte, error) {
	name := strings.Trim(open, "<>")
	switch bytes.Count(pdf, []byte(open)) {
	case 0:
		return nil, domain.Errorf(domain.EINVALID, "this PDF is not a ksmart certificate: it carries no %s record", name)
	case 1:
	default:
		return nil, domain.Errorf(domain.EINVALID, "this PDF carries more than one %s record; it has been altered", name)
	}
	_, rest, _ := bytes.Cut(pdf, []byte(open))
	inner, _, ok := bytes.Cut(rest, []byte(close))
	if !ok {
		return nil, domain.Errorf(domain.EINVALID, "the %s record in this PDF is cut short", name)
	}
	return inner, nil
}

// PageCount returns how many pages a PDF made by this package has, from
// its page tree's /Count. It returns an EINVALID *domain.Error for a file
// that has no page tree in the form this package writes.
func PageCount(pdf []byte) (int, error) {
	_, rest, ok := bytes.Cut(pdf, []byte("<< /Type /Pages /Kids ["))
	if ok {
		_, rest, ok = bytes.Cut(rest, []byte("] /Count "))
	}
	if ok {
		end := bytes.IndexByte(rest, ' ')
		if n, err := strconv.Atoi(string(rest[:max(end, 0)])); err == nil && n > 0 {
			return n, nil
		}
	}
	return 0, domain.Errorf(domain.EINVALID, "this PDF has no page tree that ksmart wrote")
}
