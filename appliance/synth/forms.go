package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
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
	return newPersonOf(rng, "", nil)
}

// newPersonOf is NewPerson of a sex ("male", "female", or "" for either)
// whose given name and whole name are none of used's; the person's are
// added to used (when it is not nil), so the people of one form are
// different people.
func newPersonOf(rng *rand.Rand, sex string, used map[string]bool) Person {
	d := legacy.Names()
	var g legacy.GivenName
	for try := 0; ; try++ {
		g = d.Given[rng.IntN(len(d.Given))]
		if (sex == "" || g.Sex == sex) && !used[g.En] || try > 10000 {
			break
		}
	}
	en, ml := g.En, g.Ml
	if rng.IntN(3) == 0 {
		i := d.Initials[rng.IntN(len(d.Initials))]
		en, ml = en+" "+i.En, ml+" "+i.Ml
	} else {
		f := d.Family[rng.IntN(len(d.Family))]
		en, ml = en+" "+f.En, ml+" "+f.Ml
	}
	if used != nil {
		used[g.En], used[en] = true, true
	}
	return Person{
		Name:  domain.T(en, ml),
		Phone: fmt.Sprintf("+9194%08d", rng.IntN(100000000)),
	}
}

// roleSex is the sex a form's name field's person has by the role: a
// mother or a bride is a woman, a father or a groom a man; "" for any.
func roleSex(field string) string {
	switch field {
	case "mother_name", "bride_name":
		return "female"
	case "father_name", "groom_name":
		return "male"
	}
	return ""
}

// personRoles are the name fields of a form that are someone other than
// the applicant: the person a register entry is about and their relations
// and witnesses. Every other name field (applicant, owner, informant) may
// be the applicant.
var personRoles = map[string]bool{
	"mother_name": true, "father_name": true, "bride_name": true, "groom_name": true, "child_name": true, "deceased_name": true,
	"spouse_name": true, "witness1_name": true, "witness2_name": true, "relative_name": true,
}

// firstWord is a name's first word: its given name, as NewPerson writes it.
func firstWord(name string) string {
	w, _, _ := strings.Cut(name, " ")
	return w
}

// tinyPDF is a minimal valid PDF, standing in for a scanned document.
var tinyPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/MediaBox[0 0 595 842]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// FillForm fills every field of svc with plausible values for the person,
// and attaches a document for every required upload, so that the result
// passes the service's own validation.
func FillForm(rng *rand.Rand, svc catalogue.Service, lb domain.LocalBody, p Person, now time.Time) (map[string]string, map[string]workflow.Upload) {
	values := map[string]string{}
	uploads := map[string]workflow.Upload{}
	// The people a form names are different people, each of the sex their
	// role has; the applicant may be one of them only where the role is
	// not a relation (the informant, not the mother).
	used := map[string]bool{firstWord(p.Name.En): true, p.Name.En: true}
	applicantNamed := false
	for _, f := range svc.Fields {
		if f.Name == "registration_number" && !f.Required {
			// A made-up register number would name no entry: leave it
			// out, as an applicant who does not know it does, and let
			// the office search by the particulars.
			continue
		}
		switch f.Type {
		case catalogue.FieldName:
			other := p
			if personRoles[f.Name] || applicantNamed || rng.IntN(2) == 0 {
				other = newPersonOf(rng, roleSex(f.Name), used)
			} else {
				applicantNamed = true
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
	// The person an entry is about has the sex the form gives, and a
	// deceased's spouse the other.
	if sex := values["sex"]; sex == "male" || sex == "female" {
		other := map[string]string{"male": "female", "female": "male"}[sex]
		for field, want := range map[string]string{"child_name": sex, "deceased_name": sex, "spouse_name": other} {
			if _, ok := values[field+"_en"]; ok && !hasSex(values[field+"_en"], want) {
				q := newPersonOf(rng, want, used)
				values[field+"_en"], values[field+"_ml"] = q.Name.En, q.Name.Ml
			}
		}
	}
	for _, d := range svc.Documents {
		if d.Required {
			uploads[d.Code] = workflow.Upload{Name: d.Code + ".pdf", Data: tinyPDF}
		}
	}
	return values, uploads
}

// hasSex reports whether a name's given name (its first word) is borne by
// people of sex in the names dictionary.
func hasSex(name, sex string) bool {
	return SexOfName(name) == sex
}

// SexOfName is the sex of the given name a name begins with, as the names
// dictionary has it ("male" or "female"), or "" when the first word is no
// given name of the dictionary.
func SexOfName(name string) string {
	first := firstWord(name)
	for _, g := range legacy.Names().Given {
		if g.En == first {
			return g.Sex
		}
	}
	return ""
}
