package workflow

import (
	"errors"
	"net/url"

	"ksmart/appliance/documents"
)

// errNoRenderer is returned by Receipt when Workflow.Documents is not set, a
// wiring fault of the program, never of the input.
var errNoRenderer = errors.New("workflow: Workflow.Documents is nil; set it to a documents.Renderer")

// Receipt makes the acknowledgement receipt of a file: a bilingual PDF with
// a QR code to the public status page under baseURL, drawn by w.Documents.
// It is made from the record each time, the same bytes every time.
func (w *Workflow) Receipt(f File, baseURL string) ([]byte, error) {
	if w.Documents == nil {
		return nil, errNoRenderer
	}
	return w.Documents.Receipt(documents.Receipt{
		LocalBody: w.LocalBody, Number: f.Number, Service: f.ServiceName, Applicant: f.Applicant.Name,
		SubmittedAt: f.Submitted, DueAt: f.Due, Fee: f.Fee, FeePaid: f.FeePaid,
		StatusURL: StatusURL(baseURL, f.Number), Channel: f.Channel,
	})
}

// StatusURL is the public status page of an application number.
func StatusURL(baseURL, number string) string {
	return baseURL + "/status?number=" + url.QueryEscape(number)
}
