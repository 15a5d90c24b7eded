package bench

import (
	"time"

	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
)

// RunReceipt draws an acknowledgement receipt with Malayalam names, as
// workflow.Receipt makes one for a submitted application, measured as
// RunCertificate measures a certificate (c.N one at a time, c.N from two
// goroutines, fpdf's empty A4 page as the floor).
func RunReceipt(c CertificateConfig) (PDFResult, error) {
	rec := benchReceipt()
	return runPDF(c, "receipt", "an application's acknowledgement receipt with Malayalam names",
		func(r *documents.Renderer) ([]byte, error) { return r.Receipt(rec) })
}

// benchReceipt is the receipt of an online application for a birth
// certificate by a citizen whose name needs conjuncts and a chillu, with
// the fee paid and the status page's QR code, the fields workflow.Receipt
// fills from a file.
func benchReceipt() documents.Receipt {
	lb := domain.LocalBody{Code: "M0701", Name: domain.T("Pala Municipality", "പാലാ നഗരസഭ"), Kind: domain.KindMunicipality, District: domain.T("Kottayam", "കോട്ടയം")}
	number := "KS/M0701/2026/BR/000123"
	return documents.Receipt{
		LocalBody:   lb,
		Number:      number,
		Service:     domain.T("Birth certificate", "ജനന സർട്ടിഫിക്കറ്റ്"),
		Applicant:   domain.T("Sreekumar K. R.", "ശ്രീകുമാർ കെ. ആർ."),
		SubmittedAt: time.Date(2026, 3, 12, 10, 42, 5, 0, domain.IST),
		DueAt:       time.Date(2026, 3, 19, 23, 59, 59, 0, domain.IST),
		Fee:         domain.Rupees(30),
		FeePaid:     true,
		StatusURL:   workflow.StatusURL("https://pala.ksmart.lsgkerala.gov.in", number),
		Channel:     documents.ChannelOnline,
	}
}
