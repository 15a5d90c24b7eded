package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
)

// Person is a synthetic Kerala resident.
type Person struct {
	Name  domain.Text
	Phone string
}

var givenNames = []domain.Text{
	domain.T("Anagha", "അനഘ"), domain.T("Sreekumar", "ശ്രീകുമാർ"), domain.T("Mohammed Rafi", "മുഹമ്മദ് റാഫി"),
	domain.T("Lakshmi", "ലക്ഷ്മി"), domain.T("Joseph", "ജോസഫ്"), domain.T("Fathima", "ഫാത്തിമ"),
	domain.T("Rajesh", "രാജേഷ്"), domain.T("Meera", "മീര"), domain.T("Anil Kumar", "അനിൽ കുമാർ"),
	domain.T("Aysha", "ആയിഷ"), domain.T("Thomas", "തോമസ്"), domain.T("Divya", "ദിവ്യ"),
	domain.T("Unnikrishnan", "ഉണ്ണികൃഷ്ണൻ"), domain.T("Shabana", "ഷബാന"), domain.T("Gopalan", "ഗോപാലൻ"),
	domain.T("Reshma", "രേഷ്മ"), domain.T("Biju", "ബിജു"), domain.T("Saritha", "സരിത"),
	domain.T("Abdul Kareem", "അബ്ദുൽ കരീം"), domain.T("Mariamma", "മറിയാമ്മ"), domain.T("Vishnu", "വിഷ്ണു"),
	domain.T("Nandana", "നന്ദന"), domain.T("Suresh Babu", "സുരേഷ് ബാബു"), domain.T("Jincy", "ജിൻസി"),
}

var initials = []domain.Text{
	domain.T("K. R.", "കെ. ആർ."), domain.T("P.", "പി."), domain.T("M. S.", "എം. എസ്."), domain.T("T. V.", "ടി. വി."),
	domain.T("C.", "സി."), domain.T("A. K.", "എ. കെ."), domain.T("V.", "വി."), domain.T("N. P.", "എൻ. പി."),
}

// NewPerson makes a person with a Kerala name in both scripts and a mobile.
func NewPerson(rng *rand.Rand) Person {
	g, i := givenNames[rng.IntN(len(givenNames))], initials[rng.IntN(len(initials))]
	return Person{
		Name:  domain.T(g.En+" "+i.En, g.Ml+" "+i.Ml),
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
