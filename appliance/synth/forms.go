package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/synth/legacy"
	"ksmart/appliance/workflow"
)

// Person is a synthetic Kerala resident.
type Person struct {
	Name  domain.Text
	Phone string
}

// NewPerson makes a person with a Kerala name in both scripts — a given
// name, then a house name or surname or initials, from the same dictionary
// the synthetic registers use — and a mobile.
func NewPerson(rng *rand.Rand) Person {
	d := legacy.Names()
	g := d.Given[rng.IntN(len(d.Given))]
	en, ml := g.En, g.Ml
	if rng.IntN(3) == 0 {
		i := d.Initials[rng.IntN(len(d.Initials))]
		en, ml = en+" "+i.En, ml+" "+i.Ml
	} else {
		f := d.Family[rng.IntN(len(d.Family))]
		en, ml = en+" "+f.En, ml+" "+f.Ml
	}
	return Person{
		Name:  domain.T(en, ml),
		Phone: fmt.Sprintf("+9194%08d", rng.IntN(100000000)),
	}
}

// tinyPDF is a minimal valid PDF, standing in for a scanned document.
var tinyPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/MediaBox[0 0 595 842]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// FillForm fills every field of svc with plausible values for the person,
// and attaches a document for every required upload, so that the result
// passes the service's own validation.
func FillForm(rng *rand.Rand, svc catalogue.Service, lb domain.LocalBody, p Person, now time.Time) (map[string]string, map[string]workflow.Upload) {
	values := map[string]string{}
	uploads := map[string]workflow.Upload{}
	for _, f := range svc.Fields {
		if f.Name == "registration_number" && !f.Required {
			// A made-up register number would name no entry: leave it
			// out, as an applicant who does not know it does, and let
			// the office search by the particulars.
			continue
		}
		switch f.Type {
		case catalogue.FieldName:
			other := NewPerson(rng)
			if rng.IntN(2) == 0 {
				other = p
			}
			values[f.Name+"_en"], values[f.Name+"_ml"] = other.Name.En, other.Name.Ml
		case catalogue.FieldDate:
			d := now.AddDate(0, 0, -1-rng.IntN(3000))
			if f.DateRule == catalogue.DateFuture {
				d = now.AddDate(0, 0, 1+rng.IntN(60))
			}
			values[f.Name] = d.In(domain.IST).Format(time.DateOnly)
		case catalogue.FieldNumber:
			lo, hi := 1.0, 500.0
			if f.Min != nil {
				lo = *f.Min
			}
			if f.Max != nil {
				hi = *f.Max
			}
			// People's numbers are modest: a few thousand at most (a rent, an
			// area), whatever the form would allow.
			hi = min(hi, lo+5000)
			values[f.Name] = strconv.FormatFloat(lo+float64(rng.IntN(int(max(hi-lo, 1)))), 'f', -1, 64)
		case catalogue.FieldChoice:
			values[f.Name] = f.Choices[rng.IntN(len(f.Choices))].Value
		case catalogue.FieldWard:
			values[f.Name] = strconv.Itoa(lb.Wards[rng.IntN(len(lb.Wards))].Number)
		case catalogue.FieldPhone:
			values[f.Name] = p.Phone
		case catalogue.FieldEmail:
			values[f.Name] = fmt.Sprintf("resident%d@example.in", rng.IntN(100000))
		case catalogue.FieldAddress:
			values[f.Name] = fmt.Sprintf("%s House, Door No. %d/%d\nWard %d, %s", p.Name.En, 1+rng.IntN(30), 1+rng.IntN(900), 1+rng.IntN(len(lb.Wards)), lb.Name.En)
		case catalogue.FieldDocument:
			if f.Required {
				uploads[f.Name] = workflow.Upload{Name: f.Name + ".pdf", Data: tinyPDF}
			}
		default:
			text := "Submitted for the family's records"
			if f.MaxLen > 0 && len(text) > f.MaxLen {
				text = text[:f.MaxLen]
			}
			values[f.Name] = text
		}
	}
	for _, d := range svc.Documents {
		if d.Required {
			uploads[d.Code] = workflow.Upload{Name: d.Code + ".pdf", Data: tinyPDF}
		}
	}
	return values, uploads
}
