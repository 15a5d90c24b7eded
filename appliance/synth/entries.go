package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/synth/legacy"
	"ksmart/appliance/workflow"
)

// Synthetic register entries as civil keeps them, made without an office:
// every form is filled as the demo fills it and checked by the form's own
// validation, and every correction applied by civil's own rule, so an
// entry is one the office could have registered. Certificates are drawn
// from them by civil.DrawCertificate, many thousands a minute; the property
// test over certificates uses them.

// EntryOptions say how hard a synthetic entry pushes its certificate.
type EntryOptions struct {
	// Longest fills every name, address and text of the forms with as many
	// characters as the form takes (a name's English and Malayalam parts
	// 100 each, an address 500, a place 200, a corrected particular 200),
	// some of them as one word with no space to break a line at.
	Longest bool
	// Corrections is how many approved corrections the entry has had, each
	// a remark on its certificate. A birth registered without a name has
	// its name included as the first of them.
	Corrections int
}

// registrationService is the service that registers each kind of entry.
var registrationService = map[string]string{
	civil.KindBirth: "birth_registration", civil.KindStillBirth: "birth_registration",
	civil.KindDeath: "death_registration", civil.KindMarriage: "marriage_registration",
}

// eventDateField is the form field holding each kind's event date.
var eventDateField = map[string]string{
	civil.KindBirth: "date_of_birth", civil.KindStillBirth: "date_of_birth",
	civil.KindDeath: "date_of_death", civil.KindMarriage: "date_of_marriage",
}

// RegisterEntry makes an entry of a civil register (civil.KindBirth,
// KindStillBirth, KindDeath or KindMarriage) as the office registers one:
// the registration form filled by FillForm, made lawful as the demo makes
// it, and checked by the form's validation; registered up to a year before
// now as number seq of its year; some as entries brought over from the old
// register; then corrected opts.Corrections times. The entry is not
// stored. An error means the generator made something the forms or civil
// refuse: a fault of the generator, naming the field.
func RegisterEntry(rng *rand.Rand, cat *catalogue.Catalogue, lb domain.LocalBody, kind string, seq uint64, now time.Time, opts EntryOptions) (civil.Entry, error) {
	svc, ok := cat.Get(registrationService[kind])
	if !ok {
		return civil.Entry{}, fmt.Errorf("synthetic entry: no register of kind %q", kind)
	}
	// Registered a month to a year ago, with room after it for the
	// corrections, a few hours apart.
	registered := now.Add(-time.Duration(24*(30+rng.IntN(335))+opts.Corrections*6+1) * time.Hour)
	values, _ := FillForm(rng, svc, lb, NewPerson(rng), registered)
	var forms civilForms
	forms.fill(rng, svc, values, registered)
	switch {
	case kind == civil.KindStillBirth:
		values["still_birth"], values["child_name_en"], values["child_name_ml"] = "yes", "", ""
	case kind == civil.KindBirth:
		values["still_birth"] = "no"
	}
	if opts.Longest {
		longest(rng, svc, values)
		if kind == civil.KindStillBirth {
			values["child_name_en"], values["child_name_ml"] = "", ""
		}
	}
	clean, err := svc.Validate(values, lb, registered)
	if err != nil {
		return civil.Entry{}, fmt.Errorf("synthetic %s registration: %w%s", kind, err, fieldsOf(err))
	}
	year := registered.In(domain.IST).Year()
	ward, _ := strconv.Atoi(clean["ward"])
	e := civil.Entry{Kind: kind, Number: civil.RegisterNumber(kind, year, seq), Year: year, EventDate: clean[eventDateField[kind]],
		Registered: registered, Registrar: civil.Officer{ID: "registrar", Name: OfficerName(rng, false)}, Source: "application",
		File: workflow.ApplicationNumber(lb.Code, year, svc.Abbr, uint64(1+rng.IntN(99999))), Ward: ward, Values: clean, Version: 1}
	if rng.IntN(6) == 0 {
		e.Source, e.File = "legacy", ""
	}
	for i := range opts.Corrections {
		if kind == civil.KindStillBirth {
			break // a still birth's entry has no correction service
		}
		at := registered.Add(time.Duration(6*(i+1)) * time.Hour)
		if e, err = correct(rng, cat, lb, e, at, opts.Longest); err != nil {
			return civil.Entry{}, err
		}
	}
	return e, nil
}

// correct applies one approved correction to e at the time at: the name's
// inclusion for a birth registered without one, else a correction of a
// particular chosen from the correction form's list, its form filled and
// checked as an applicant's would be.
func correct(rng *rand.Rand, cat *catalogue.Catalogue, lb domain.LocalBody, e civil.Entry, at time.Time, long bool) (civil.Entry, error) {
	code := e.Kind + "_correction"
	if e.Kind == civil.KindBirth && e.Values["child_name_en"] == "" {
		code = "birth_name_inclusion"
	}
	svc, ok := cat.Get(code)
	if !ok {
		return e, fmt.Errorf("synthetic correction: no service %s", code)
	}
	values, _ := FillForm(rng, svc, lb, NewPerson(rng), at)
	values["registration_number"] = e.Number
	values[eventDateField[e.Kind]] = e.EventDate
	if code == "birth_name_inclusion" {
		name := NewPerson(rng).Name
		values["child_name_en"], values["child_name_ml"] = name.En, name.Ml
		if long {
			values["child_name_en"], values["child_name_ml"] = longName(rng, 100, false), longName(rng, 100, true)
		}
	} else {
		for _, f := range svc.Fields {
			if f.Name == "entry" {
				values["entry"] = f.Choices[rng.IntN(len(f.Choices))].Value
			}
		}
		values["present_entry"] = "As registered"
		values["correct_entry"] = correctValue(rng, e, values["entry"], long)
	}
	clean, err := svc.Validate(values, lb, at)
	if err != nil {
		return e, fmt.Errorf("synthetic %s of %s: %w%s", code, e.Number, err, fieldsOf(err))
	}
	file := workflow.ApplicationNumber(lb.Code, at.In(domain.IST).Year(), svc.Abbr, uint64(1+rng.IntN(99999)))
	e, err = e.Apply(civil.Correction{Service: code, Values: clean, File: file, Officer: civil.Officer{ID: "registrar", Name: OfficerName(rng, false)}, At: at})
	if err != nil {
		return e, fmt.Errorf("synthetic %s of %s: %w", code, e.Number, err)
	}
	return e, nil
}

// correctValue is the correct value an applicant gives for a particular of
// e, as the correction form's free text (at most 200 characters).
func correctValue(rng *rand.Rand, e civil.Entry, particular string, long bool) string {
	const limit = 200 // the correction form's text field
	switch {
	case strings.HasSuffix(particular, "_name"):
		ml := rng.IntN(2) == 0
		if long {
			return longName(rng, limit, ml)
		}
		if ml {
			return NewPerson(rng).Name.Ml
		}
		return NewPerson(rng).Name.En
	case particular == "sex":
		return []string{"male", "female", "transgender"}[rng.IntN(3)]
	case strings.HasPrefix(particular, "date_of_"):
		d, err := time.Parse(time.DateOnly, e.EventDate)
		if err != nil {
			return e.EventDate
		}
		return d.AddDate(0, 0, -1-rng.IntN(5)).Format(time.DateOnly)
	case particular == "age_years":
		return strconv.Itoa(1 + rng.IntN(100))
	}
	if long {
		return longText(rng, limit, placeWords)
	}
	return "District Hospital, Ernakulam"
}

// NonAvailabilityForm fills the form of a non-availability certificate as
// an applicant would, for an event (a birth or a death) years ago, checked
// by the form's validation, with opts.Longest as RegisterEntry takes it.
func NonAvailabilityForm(rng *rand.Rand, cat *catalogue.Catalogue, lb domain.LocalBody, now time.Time, opts EntryOptions) (map[string]string, error) {
	svc, ok := cat.Get("non_availability_certificate")
	if !ok {
		return nil, fmt.Errorf("synthetic non-availability: no service non_availability_certificate")
	}
	values, _ := FillForm(rng, svc, lb, NewPerson(rng), now)
	var forms civilForms
	forms.fill(rng, svc, values, now)
	if opts.Longest {
		longest(rng, svc, values)
	}
	clean, err := svc.Validate(values, lb, now)
	if err != nil {
		return nil, fmt.Errorf("synthetic non-availability form: %w%s", err, fieldsOf(err))
	}
	return clean, nil
}

// OfficerName is an issuing officer's name as a staff account holds it;
// long, the longest one takes (100 characters).
func OfficerName(rng *rand.Rand, long bool) string {
	if long {
		return longText(rng, 100, func(rng *rand.Rand) string { return legacy.Names().Given[rng.IntN(len(legacy.Names().Given))].En })
	}
	return NewPerson(rng).Name.En
}

// longest sets every name, address and text of a form to the most
// characters its field takes.
func longest(rng *rand.Rand, svc catalogue.Service, values map[string]string) {
	for _, f := range svc.Fields {
		limit := f.MaxLen
		if limit == 0 {
			limit = catalogue.DefaultMaxLen(f.Type)
		}
		switch f.Type {
		case catalogue.FieldName:
			values[f.Name+"_en"], values[f.Name+"_ml"] = longName(rng, limit, false), longName(rng, limit, true)
		case catalogue.FieldAddress:
			values[f.Name] = longAddress(rng, limit)
		case catalogue.FieldText, catalogue.FieldTextarea:
			values[f.Name] = longText(rng, limit, placeWords)
		}
	}
}

// longName is a name of exactly n characters in English or Malayalam
// letters, of given and family names; one in four is one unbroken word.
func longName(rng *rand.Rand, n int, malayalam bool) string {
	d := legacy.Names()
	word := func(rng *rand.Rand) string {
		var name legacy.Name
		if rng.IntN(2) == 0 {
			name = d.Given[rng.IntN(len(d.Given))].Name
		} else {
			name = d.Family[rng.IntN(len(d.Family))].Name
		}
		w := name.En
		if malayalam {
			w = name.Ml
		}
		if rng.IntN(4) == 0 {
			return strings.ReplaceAll(w, " ", "")
		}
		return w
	}
	s := longText(rng, n, word)
	if rng.IntN(4) == 0 {
		unbroken := strings.ReplaceAll(s, " ", "")
		for utf8.RuneCountInString(unbroken) < n {
			unbroken += strings.ReplaceAll(word(rng), " ", "")
		}
		s = cut(unbroken, n)
	}
	return s
}

// placeWords are the words of long places and addresses.
func placeWords(rng *rand.Rand) string {
	words := []string{"Government", "Taluk", "Headquarters", "Hospital,", "maternity", "ward", "second", "floor,", "new", "block", "beside",
		"the", "Meenachil", "river,", "Temple", "Road,", "near", "Higher", "Secondary", "School,", "Kizhakkedathu", "Puthenveedu", "House,",
		"Door", "No.", "12/345,", "Ward", "7,", "PIN", "686575,", "St.", "Mary's", "Church", "Auditorium,", "Fort", "Kochi"}
	return words[rng.IntN(len(words))]
}

// longAddress is an address of n characters on several lines, as the
// address field takes it.
func longAddress(rng *rand.Rand, n int) string {
	var b strings.Builder
	for utf8.RuneCountInString(b.String()) < n {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(longText(rng, 30+rng.IntN(40), placeWords))
	}
	return cut(b.String(), n)
}

// longText joins words from word with spaces up to exactly n characters.
func longText(rng *rand.Rand, n int, word func(*rand.Rand) string) string {
	var b strings.Builder
	for utf8.RuneCountInString(b.String()) < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(word(rng))
	}
	return cut(b.String(), n)
}

// cut returns the first n characters of s, ending in a letter rather than
// a space or a line break, which a form would trim away.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	for i := len(r) - 1; i >= 0 && unicode.IsSpace(r[i]); i-- {
		r[i] = 'a'
		if i > 0 && unicode.Is(unicode.Malayalam, r[i-1]) {
			r[i] = 'ക'
		}
	}
	return string(r)
}
