package web

import (
	"ksmart/appliance/building"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/licence"
)

// issuedDocument sends the document a file was issued with (a
// certificate, a letter) to someone who may read the file: its applicant
// or the office.
func (s *Server) issuedDocument(c echo.Context) error {
	doc, pdf, err := s.App.Workflow.Issued(actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	name := strings.NewReplacer("/", "-").Replace(doc.Number)
	c.Response().Header().Set("Content-Disposition", `inline; filename="`+safeFilename(name)+`.pdf"`)
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// registersPage lists a register, newest first, or finds an entry by number.
func (s *Server) registersPage(c echo.Context) error {
	opt, err := listOptions(c, c.QueryParam("kind"))
	if err != nil {
		return err
	}
	entries, err := s.App.Civil.List(actor(c), opt)
	if err != nil {
		return err
	}
	year := s.App.Now().In(domain.IST).Year()
	type count struct {
		Kind string
		Name domain.Text
		N    uint64
	}
	var counts []count
	for _, k := range civil.Kinds {
		counts = append(counts, count{k, civil.KindName(k), s.App.Civil.Numbered(k, year)})
	}
	next := ""
	if len(entries) == opt.Limit && opt.Number == "" {
		next = entries[len(entries)-1].ID
	}
	return s.render(c, http.StatusOK, "registers.html", "registers", map[string]any{
		"Entries": entries, "Opt": opt, "Counts": counts, "Year": year, "Kinds": civil.Kinds, "Next": next, "KindName": civil.KindName(opt.Kind)})
}

// listOptions reads a register listing's query; kind is the register
// asked for ("" for births).
func listOptions(c echo.Context, kind string) (civil.ListOptions, error) {
	opt := civil.ListOptions{Kind: kind, Number: strings.TrimSpace(c.QueryParam("number")), After: c.QueryParam("after"), Limit: 50}
	if opt.Kind == "" {
		opt.Kind = civil.KindBirth
	}
	if !slices.Contains(civil.Kinds, opt.Kind) {
		return opt, domain.Errorf(domain.EINVALID, "There is no register %q; choose birth, still_birth, death or marriage.", opt.Kind)
	}
	if y := c.QueryParam("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 1900 || n > 2999 {
			return opt, domain.Errorf(domain.EINVALID, "The year %q is not a year like 2026.", y)
		}
		opt.Year = n
	}
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			return opt, domain.Errorf(domain.EINVALID, "limit must be a number from 1 to 200.")
		}
		opt.Limit = n
	}
	return opt, nil
}

// registerEntryPage shows one entry: its particulars, its history of
// changes, and the certificates issued from it with their status.
func (s *Server) registerEntryPage(c echo.Context) error {
	e, certs, err := s.entryWithCertificates(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "register_entry.html", e.Number, map[string]any{
		"Entry": e, "Certificates": certs, "Particulars": s.App.Civil.Particulars(e), "Errors": map[string]domain.Text{}})
}

// officeCertificatePDF sends an issued certificate's PDF, as issued, to the
// registrar's office.
func (s *Server) officeCertificatePDF(c echo.Context) error {
	rec, pdf, err := s.App.Civil.CertificatePDF(actor(c), c.Param("number"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="`+rec.Number+`.pdf"`)
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// revokeCertificate withdraws a certificate (the registrar only).
func (s *Server) revokeCertificate(c echo.Context) error {
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	rec, err := s.App.Civil.Revoke(actor(c), c.Param("number"), values["reason"])
	if errs, ok := fieldErrors(err); ok {
		var e civil.Entry
		if rec, _, gerr := s.App.Civil.CertificatePDF(actor(c), c.Param("number")); gerr == nil {
			e, gerr = s.App.Civil.Entry(actor(c), rec.RegisterNumber)
			if gerr != nil {
				return gerr
			}
		}
		certs, _ := s.App.Civil.Certificates(e)
		return s.render(c, http.StatusUnprocessableEntity, "register_entry.html", e.Number, map[string]any{
			"Entry": e, "Certificates": certs, "Particulars": s.App.Civil.Particulars(e), "Errors": errs, "Revoking": c.Param("number"), "Reason": values["reason"]})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/office/registers/entry?number="+rec.RegisterNumber)
}

// verifyCertificatePage is the public verification page a certificate's QR
// code opens: what the certificate printed, and whether it is genuine and
// current, superseded or revoked.
func (s *Server) verifyCertificatePage(c echo.Context) error {
	if licence.IsCertificateNumber(c.Param("number")) && s.App.Licences != nil {
		return s.verifyLicencePage(c)
	}
	if building.IsDocumentNumber(c.Param("number")) && s.App.Building != nil {
		return s.verifyBuildingDocument(c, c.Param("number"))
	}
	v, err := s.App.Civil.Verify(c.Param("number"), c.QueryParam("d"), c.QueryParam("s"))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if !v.Found {
		status = http.StatusNotFound
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, status, "certificate_verify.html", "verify "+v.Number, v)
}

// verification is the API's answer about a certificate.
type verification struct {
	Number       string       `json:"number"`
	Found        bool         `json:"found"`
	Genuine      bool         `json:"genuine"`
	Checked      bool         `json:"code_checked"`
	Status       string       `json:"status,omitempty"`
	SupersededBy string       `json:"superseded_by,omitempty"`
	StatusReason *domain.Text `json:"status_reason,omitempty"`
	Problem      *domain.Text `json:"problem,omitempty"`
	IssuedBy     string       `json:"issued_by_local_body,omitempty"`
	Printed      any          `json:"printed,omitempty"`
	PDFSHA256    string       `json:"pdf_sha256,omitempty"`
	Pages        int          `json:"pages,omitempty"`
}

func (s *Server) apiVerifyCertificate(c echo.Context) error {
	v, err := s.App.Civil.Verify(c.Param("number"), c.QueryParam("d"), c.QueryParam("s"))
	if err != nil {
		return err
	}
	out := verification{Number: v.Number, Found: v.Found, Genuine: v.Genuine(), Checked: v.Checked}
	if v.Problem != (domain.Text{}) {
		out.Problem = &v.Problem
	}
	if v.OtherBody != "" {
		out.IssuedBy = v.OtherBody
	}
	if v.Found {
		rec := v.Certificate
		out.Status, out.SupersededBy, out.IssuedBy = rec.Status, rec.SupersededBy, s.App.LocalBody.Code
		if rec.StatusReason != (domain.Text{}) {
			out.StatusReason = &rec.StatusReason
		}
	}
	if v.ShowsParticulars() {
		out.Printed, out.PDFSHA256, out.Pages = v.Certificate.Printed, v.Certificate.PDF, max(v.Certificate.Pages, 1)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	status := http.StatusOK
	if !v.Found {
		status = http.StatusNotFound
	}
	return c.JSON(status, out)
}

func (s *Server) apiRegister(c echo.Context) error {
	opt, err := listOptions(c, c.Param("kind"))
	if err != nil {
		return err
	}
	entries, err := s.App.Civil.List(actor(c), opt)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []civil.Entry{}
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": entries})
}

// entryWithCertificates reads the entry ?number= names, with its
// certificates.
func (s *Server) entryWithCertificates(c echo.Context) (civil.Entry, []civil.Certificate, error) {
	e, err := s.App.Civil.Entry(actor(c), c.QueryParam("number"))
	if err != nil {
		return e, nil, err
	}
	certs, err := s.App.Civil.Certificates(e)
	return e, certs, err
}

func (s *Server) apiRegisterEntry(c echo.Context) error {
	e, certs, err := s.entryWithCertificates(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"entry": e, "certificates": certs})
}

func (s *Server) apiRevokeCertificate(c echo.Context) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	rec, err := s.App.Civil.Revoke(actor(c), c.Param("number"), in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rec)
}
