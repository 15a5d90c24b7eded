package main

import (
	"bytes"
	"encoding/base64"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/catalogue"
	"ksmart/appliance/civil"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/seal"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
	"ksmart/internal/needs"
)

// issueBirthCertificate registers a birth in a fresh data directory and
// issues its certificate, as an office would, and returns the directory
// and the certificate's PDF.
func issueBirthCertificate(t *testing.T, code string) (string, []byte) {
	t.Helper()
	if _, err := documents.SystemFonts(); err != nil {
		if os.Getenv("KSMART_REQUIRE_ALL") == "1" {
			t.Fatalf("a Malayalam font is needed: apt-get install fonts-smc-manjari (%v)", err)
		}
		t.Skipf("a Malayalam font is needed: apt-get install fonts-smc-manjari (%v)", err)
	}
	dir := t.TempDir()
	lb := synth.DemoLocalBody()
	lb.Code = code
	app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PublicURL: "https://ksmart.example.in"})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	staff := map[domain.Role]domain.Actor{}
	for _, r := range []domain.Role{domain.RoleFrontOffice, domain.RoleSectionClerk, domain.RoleRegistrar} {
		u, _, err := app.Identity.AddStaff(domain.System, identity.NewStaff{Login: strings.ReplaceAll(string(r), "_", ""), Name: "Officer " + r.Name().En, Roles: []domain.Role{r}})
		if err != nil {
			t.Fatal(err)
		}
		staff[r] = u.Actor()
	}
	dob := time.Now().In(domain.IST).AddDate(0, 0, -3).Format(time.DateOnly)
	f, err := app.Workflow.Submit(staff[domain.RoleFrontOffice], workflow.Submission{Service: "birth_registration", Channel: workflow.ChannelCounter,
		Applicant: workflow.Applicant{Name: domain.T("Krishnan", "കൃഷ്ണൻ")},
		Values: map[string]string{"child_name_en": "Jyothilakshmi", "child_name_ml": "ജ്യോതിലക്ഷ്മി", "sex": "female", "still_birth": "no", "date_of_birth": dob,
			"place_type": "hospital", "place_of_birth": "General Hospital", "reported_by": "institution", "mother_name_en": "Priya", "mother_name_ml": "പ്രിയ",
			"permanent_address": "Fort Road", "ward": "2", "informant_name_en": "General Hospital", "informant_phone": "9847012345"},
		Uploads: map[string]workflow.Upload{"parent_id": {Name: "id.pdf", Data: []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")}}})
	if err != nil {
		t.Fatalf("%v %+v", err, err.(*domain.Error).Fields)
	}
	for _, s := range []struct {
		role domain.Role
		kind string
	}{{domain.RoleSectionClerk, workflow.KindForwarded}, {domain.RoleRegistrar, workflow.KindApproved}, {domain.RoleRegistrar, workflow.KindIssued}} {
		if f, err = app.Workflow.Act(staff[s.role], f.ID, workflow.Request{Kind: s.kind}); err != nil {
			t.Fatalf("%s: %v", s.kind, err)
		}
	}
	_, pdf, err := app.Civil.CertificatePDF(staff[domain.RoleRegistrar], f.Issued.Number)
	if err != nil {
		t.Fatal(err)
	}
	return dir, pdf
}

func TestVerify_OfflineChecksAPDFAndAQRCodeWithThePublicKey(t *testing.T) {
	dir, pdf := issueBirthCertificate(t, "DEMO01")
	path := filepath.Join(t.TempDir(), "certificate.pdf")
	os.WriteFile(path, pdf, 0o644)
	code, out, errOut := ksmart(t, "verify", "--data", dir, path)
	if code != 0 || !strings.Contains(out, "genuine") || !strings.Contains(out, "unaltered") || !strings.Contains(out, "ജ്യോതിലക്ഷ്മി") {
		t.Fatalf("verify a genuine PDF: exit %d\n%s%s", code, out, errOut)
	}
	c, qr, err := documents.ReadCertificate(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if code, out, _ := ksmart(t, "verify", "--key", filepath.Join(dir, "keys", "seal.pub"), qr); code != 0 || !strings.Contains(out, c.Number) {
		t.Fatalf("verify the QR code's text: exit %d %s", code, out)
	}

	// Edits are caught: the printed name changed in the record, a forged
	// signature, the file cut short, a receipt passed off as a certificate.
	forgedQR := qr[:len(qr)-3] + "AAA"
	if strings.HasSuffix(qr, "AAA") {
		forgedQR = qr[:len(qr)-3] + "BBB"
	}
	cases := []struct {
		name string
		arg  string
		want string
	}{
		{"a forged signature", forgedQR, "signature does not match"},
		{"a mangled code", "https://x/verify/DEMO01-BC-2026-1?d=zz", "not a ksmart verification code"},
	}
	for name, data := range map[string][]byte{"cut short": pdf[:len(pdf)/2], "not a certificate": []byte("%PDF-1.4\nhello")} {
		p := filepath.Join(t.TempDir(), "x.pdf")
		os.WriteFile(p, data, 0o644)
		cases = append(cases, struct{ name, arg, want string }{name, p, "NOT VERIFIED"})
	}
	for _, e := range []struct {
		name string
		data []byte
		want string
	}{{"the record's name edited", editRecord(t, pdf), "altered after issue"}, {"the drawn page edited", editPage(t, pdf), "differs from its signed record"}} {
		p := filepath.Join(t.TempDir(), "edited.pdf")
		os.WriteFile(p, e.data, 0o644)
		cases = append(cases, struct{ name, arg, want string }{e.name, p, e.want})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := ksmart(t, "verify", "--data", dir, tc.arg)
			if code != 1 || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, want 1 saying %q:\n%s%s", code, tc.want, out, errOut)
			}
			// The verdict comes first: nothing above it may read as genuine.
			if first, _, _ := strings.Cut(out, "\n"); !strings.HasPrefix(first, "NOT VERIFIED") {
				t.Fatalf("the first line is %q; want it to begin NOT VERIFIED:\n%s", first, out)
			}
		})
	}

	// Another local body's key does not vouch for this certificate.
	other, _ := issueBirthCertificate(t, "M0701")
	if code, out, _ := ksmart(t, "verify", "--data", other, path); code != 1 || !strings.Contains(out, "NOT VERIFIED") {
		t.Fatalf("verify with another body's key: exit %d %s", code, out)
	}
	if code, _, errOut := ksmart(t, "verify", path); code != 2 || !strings.Contains(errOut, "public key") {
		t.Fatalf("verify without a key: exit %d %s", code, errOut)
	}
}

// editRecord changes the child's name in the certificate record the PDF
// carries, keeping its length, as a forger editing the metadata would.
func editRecord(t *testing.T, pdf []byte) []byte {
	t.Helper()
	open, close := []byte("<ksmart:certificate>"), []byte("</ksmart:certificate>")
	i, j := bytes.Index(pdf, open)+len(open), bytes.Index(pdf, close)
	record, err := base64.StdEncoding.DecodeString(string(pdf[i:j]))
	if err != nil || !bytes.Contains(record, []byte("Jyothilakshmi")) {
		t.Fatalf("no record with the name in the PDF: %v", err)
	}
	edited := base64.StdEncoding.EncodeToString(bytes.Replace(record, []byte("Jyothilakshmi"), []byte("Jyothilakshmy"), 1))
	return append(append(append([]byte(nil), pdf[:i]...), edited...), pdf[j:]...)
}

// editPage changes one byte in the middle of the page's content stream,
// leaving the record and its signed code as they were.
func editPage(t *testing.T, pdf []byte) []byte {
	t.Helper()
	k := bytes.Index(pdf, []byte("/Contents"))
	s := bytes.Index(pdf[k:], []byte("stream\n"))
	if k < 0 || s < 0 {
		t.Fatal("no page content stream in the PDF")
	}
	out := append([]byte(nil), pdf...)
	out[k+s+len("stream\n")+40] ^= 0x5a
	return out
}

func TestVerify_ACertificateWithAnAnnexureIsCheckedOnEveryPage(t *testing.T) {
	fonts, err := documents.SystemFonts()
	if err != nil {
		needs.Missing(t, err.Error())
	}
	cat, err := catalogue.Load()
	if err != nil {
		t.Fatal(err)
	}
	lb := synth.DemoLocalBody()
	key, err := seal.Generate(lb.Code)
	if err != nil {
		t.Fatal(err)
	}
	keys := t.TempDir()
	if err := key.WriteFiles(keys); err != nil {
		t.Fatal(err)
	}
	office := &civil.Civil{LocalBody: lb, Seal: key, Documents: documents.NewRenderer(fonts), PublicURL: func() string { return "https://ksmart.example.in" }}
	// An entry with the longest particulars and many corrections: its
	// certificate goes on to an annexure.
	now := time.Date(2026, 12, 7, 10, 30, 0, 0, domain.IST)
	e, err := synth.RegisterEntry(rand.New(rand.NewPCG(7, 7)), cat, lb, civil.KindBirth, 12, now, synth.EntryOptions{Longest: true, Corrections: 12})
	if err != nil {
		t.Fatal(err)
	}
	printed, pdf, err := office.DrawCertificate(e, "DEMO01-BC-2026-77", "", civil.Officer{Name: "Ramachandran K."}, now)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := documents.PageCount(pdf); n < 2 {
		t.Fatalf("the sample certificate has %d page; make it longer", n)
	}
	path := filepath.Join(t.TempDir(), "certificate.pdf")
	os.WriteFile(path, pdf, 0o644)
	pub := filepath.Join(keys, seal.PublicFile)
	code, out, errOut := ksmart(t, "verify", "--key", pub, path)
	lastCorrection := printed.Remarks.En[strings.LastIndex(printed.Remarks.En, "Corrected on"):]
	for _, w := range []string{"genuine", "unaltered", "pages (the certificate and its annexure)", "Remarks: ", lastCorrection} {
		if code != 0 || !strings.Contains(out, w) {
			t.Errorf("verify a genuine certificate with an annexure: exit %d, want 0 and %q:\n%s%s", code, w, out, errOut)
		}
	}

	// A change to the last page (the annexure, with the QR code) is caught
	// as one to the first would be.
	k := bytes.LastIndex(pdf, []byte("/Contents"))
	s := bytes.Index(pdf[k:], []byte("stream\n"))
	edited := append([]byte(nil), pdf...)
	edited[k+s+len("stream\n")+40] ^= 0x5a
	os.WriteFile(path, edited, 0o644)
	if code, out, _ := ksmart(t, "verify", "--key", pub, path); code != 1 || !strings.Contains(out, "differs from its signed record") {
		t.Fatalf("verify a certificate whose annexure was edited: exit %d, want 1 saying it differs:\n%s", code, out)
	}
}

// TestVerify_TheKeyBundleVerifiesCertificatesSignedBeforeAKeyChange: a
// body's seal key was replaced (a data directory rebuilt from the state
// makes a new one). A certificate signed with the old key and one signed
// with the new both verify with the body's key bundle — one file holding
// both keys, or the keys/ directory of seal.pub and seal-*.pub — while the
// new seal.pub alone refuses the old certificate.
func TestVerify_TheKeyBundleVerifiesCertificatesSignedBeforeAKeyChange(t *testing.T) {
	const code = "M0701"
	dir := t.TempDir()
	keysDir := filepath.Join(dir, "keys")
	var qrs []string
	var bundle []byte
	var fps []string
	for i, number := range []string{"M0701-BC-2026-12", "M0701-BC-2026-13"} {
		k, err := seal.Generate(code)
		if err != nil {
			t.Fatal(err)
		}
		p, err := k.Sign("https://m0701.example.in", number, [32]byte{byte(i + 1)})
		if err != nil {
			t.Fatal(err)
		}
		qrs, fps = append(qrs, p.String()), append(fps, seal.Fingerprint(k.Public()))
		pub, err := seal.MarshalPublic(code, k.Public())
		if err != nil {
			t.Fatal(err)
		}
		bundle = append(bundle, pub...)
		if err := k.WriteFiles(keysDir); err != nil { // the second replaces the first as seal.pub
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(keysDir, "seal-"+fps[i]+".pub"), pub, 0o644)
	}
	bundleFile := filepath.Join(dir, seal.BundleFile)
	os.WriteFile(bundleFile, bundle, 0o644)
	for _, key := range []string{bundleFile, keysDir} {
		for i, qr := range qrs {
			code, out, errOut := ksmart(t, "verify", "--key", key, qr)
			if code != 0 || !strings.Contains(out, "genuine") || !strings.Contains(out, fps[i]) {
				t.Errorf("verify --key %s the certificate signed with key %d: exit %d\n%s%s", key, i+1, code, out, errOut)
			}
		}
	}
	current := filepath.Join(keysDir, seal.PublicFile)
	if code, out, _ := ksmart(t, "verify", "--key", current, qrs[0]); code != 1 || !strings.Contains(out, "NOT VERIFIED") {
		t.Errorf("the new key alone verified a certificate signed with the old one: exit %d %s", code, out)
	}
	if code, out, _ := ksmart(t, "verify", "--key", current, qrs[1]); code != 0 {
		t.Errorf("the new key does not verify its own certificate: exit %d %s", code, out)
	}
	// Anything but keys in the bundle file is refused, naming the file.
	bad := filepath.Join(dir, "bad.pub")
	os.WriteFile(bad, append(append([]byte(nil), bundle...), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"...), 0o644)
	if code, _, errOut := ksmart(t, "verify", "--key", bad, qrs[0]); code != 1 || !strings.Contains(errOut, bad) || !strings.Contains(errOut, "key 3") {
		t.Errorf("a bundle with a certificate in it: exit %d %s", code, errOut)
	}
}
