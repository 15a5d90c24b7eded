package workflow

import (
	"net/url"

	"ksmart/appliance/documents"
)

// Receipt makes the acknowledgement receipt of a file: a bilingual PDF with
// a QR code to the public status page under baseURL. It is made from the
// record each time, the same bytes every time.
func (w *Workflow) Receipt(f File, baseURL string) ([]byte, error) {
	return documents.Receipt{
		LocalBody: w.LocalBody, Number: f.Number, Service: f.ServiceName, Applicant: f.Applicant.Name,
		SubmittedAt: f.Submitted, DueAt: f.Due, Fee: f.Fee, FeePaid: f.FeePaid,
		StatusURL: StatusURL(baseURL, f.Number), Channel: f.Channel,
	}.PDF()
}

// StatusURL is the public status page of an application number.
func StatusURL(baseURL, number string) string {
	return baseURL + "/status?number=" + url.QueryEscape(number)
}
