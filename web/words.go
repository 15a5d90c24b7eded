package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"
	"unicode"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
)

// This file writes stored values the way a person reads them in the page's
// language: a choice by its label, a date as dd-mm-yyyy, a ward by its
// name, a document by what it is and a size in KB. A stored value is a
// code; a page never shows the code where it has a word for it.

// answer is one filled-in field of the form as submitted. Free says the
// value is as a person typed it (a name, an address), in whatever script
// they typed it, rather than a word of ours.
type answer struct {
	Label domain.Text
	Value domain.Text
	Free  bool
}

// answerOf is field fd's value v as a page shows it, given the whole
// form's values (a name field is two keys) and the local body (wards).
func answerOf(fd catalogue.Field, values map[string]string, lb domain.LocalBody) answer {
	v := values[fd.Name]
	a := answer{Label: fd.Label, Value: domain.T(v, v)}
	switch fd.Type {
	case catalogue.FieldName:
		a.Value = domain.T(values[fd.Name+"_en"], values[fd.Name+"_ml"])
		if a.Value.En == "" {
			a.Value.En = a.Value.Ml
		}
		if a.Value.Ml == "" {
			a.Value.Ml = a.Value.En
		}
	case catalogue.FieldChoice:
		for _, ch := range fd.Choices {
			if ch.Value == v {
				a.Value = ch.Label
			}
		}
	case catalogue.FieldDate:
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			a.Value = longDate(t)
		}
	case catalogue.FieldWard:
		if n, err := strconv.Atoi(v); err == nil {
			a.Value = wardName(lb, n)
		}
	case catalogue.FieldText, catalogue.FieldTextarea, catalogue.FieldAddress:
		a.Free = true
	}
	return a
}

// answersOf are a form's filled-in fields in the form's order.
func answersOf(svc catalogue.Service, values map[string]string, lb domain.LocalBody) []answer {
	var out []answer
	for _, fd := range svc.Fields {
		if fd.Type == catalogue.FieldDocument {
			continue
		}
		if a := answerOf(fd, values, lb); a.Value.En != "" {
			out = append(out, a)
		}
	}
	return out
}

var monthsML = [12]string{"ജനുവരി", "ഫെബ്രുവരി", "മാർച്ച്", "ഏപ്രിൽ", "മേയ്", "ജൂൺ", "ജൂലൈ", "ഓഗസ്റ്റ്", "സെപ്റ്റംബർ", "ഒക്ടോബർ", "നവംബർ", "ഡിസംബർ"}

// longDate writes a day with its month's name, as a person reads a date
// in a sentence: "28 November 2026", "28 നവംബർ 2026".
func longDate(t time.Time) domain.Text {
	return domain.T(t.Format("2 January 2006"), fmt.Sprintf("%d %s %d", t.Day(), monthsML[t.Month()-1], t.Year()))
}

// wardName is ward n's name, with its number in front unless the name
// already begins with it; a number the local body does not have shows as
// the number.
func wardName(lb domain.LocalBody, n int) domain.Text {
	num := strconv.Itoa(n)
	for _, w := range lb.Wards {
		if w.Number != n {
			continue
		}
		t := w.Name
		if !strings.HasPrefix(t.En, num) {
			t.En = num + ". " + t.En
		}
		if !strings.HasPrefix(t.Ml, num) {
			t.Ml = num + ". " + t.Ml
		}
		return t
	}
	return domain.T(num, num)
}

// humanSize writes a byte count as a person reads it: "193 B", "48 KB",
// "2.4 MB", "37.2 GB" (free disk space).
func humanSize(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%d KB", (n+512)/1024)
	case n < 1024*1024*1024:
		return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
	}
	return fmt.Sprintf("%.1f GB", float64(n)/(1024*1024*1024))
}

// fileType names a document's content type by what people call it: PDF,
// JPEG, PNG.
func fileType(contentType string) string {
	_, sub, _ := strings.Cut(contentType, "/")
	sub, _, _ = strings.Cut(sub, ";")
	return strings.ToUpper(strings.TrimSpace(sub))
}

// documentName is what an attached document is, by the service's field or
// document requirement it answers; an unknown code shows as a neutral word.
func documentName(svc catalogue.Service, a workflow.Attachment) domain.Text {
	for _, fd := range svc.Fields {
		if fd.Name == a.Field {
			return fd.Label
		}
	}
	reqs := append([]catalogue.DocumentRequirement(nil), svc.Documents...)
	for _, b := range svc.Fee.Bands {
		reqs = append(reqs, b.Documents...)
	}
	for _, d := range reqs {
		if d.Code == a.Field {
			return d.Name
		}
	}
	if a.Field == "inspection_report" {
		return domain.T("Inspection report", "പരിശോധനാ റിപ്പോർട്ട്")
	}
	return domain.T("Document", "രേഖ")
}

// langAttr marks text written in the other script than the page's, so that
// a screen reader reads it in its language: a name or a note typed in
// English on a Malayalam page gets lang="en", Malayalam on an English page
// lang="ml".
func langAttr(page, text string) template.HTMLAttr {
	latin, malayalam := false, false
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Malayalam, r):
			malayalam = true
		case r < unicode.MaxASCII && unicode.IsLetter(r):
			latin = true
		}
	}
	switch {
	case page != "en" && latin && !malayalam:
		return ` lang="en"`
	case page != "ml" && malayalam && !latin:
		return ` lang="ml"`
	}
	return ""
}
