package catalogue

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"ksmart/appliance/domain"
)

// Validate checks the values submitted for the service's form, field by
// field, against lb (whose wards a ward field must name) and now (which
// decides what a past or future date is, in Indian time).
//
// It returns the cleaned values: only the service's fields, trimmed, with
// names' inner spaces collapsed, text areas' line ends as "\n", numbers and
// wards in canonical form and Indian mobile numbers as +91XXXXXXXXXX. Empty
// optional fields are left out. A name field is submitted, and returned, as
// two keys, <name>_en and <name>_ml. Document fields are skipped: the caller
// checks uploads (see DocumentFields).
//
// When any field is faulty it returns nil and a domain.FieldErrors error
// (code EINVALID) with a bilingual message for every faulty field, keyed by
// the form key.
func (s Service) Validate(values map[string]string, lb domain.LocalBody, now time.Time) (map[string]string, error) {
	clean := map[string]string{}
	fe := domain.FieldErrors{}
	today := now.In(domain.IST).Format(time.DateOnly)
	for _, f := range s.Fields {
		switch f.Type {
		case FieldDocument:
			continue
		case FieldName:
			validateName(f, values, clean, fe)
			continue
		}
		v, problem := validateValue(f, values[f.Name], lb, today)
		switch {
		case problem != nil:
			fe.Add(f.Name, *problem)
		case v != "":
			clean[f.Name] = v
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return clean, nil
}

// What a name in each script may be made of.
var (
	nameRuleEnglish = domain.T("write it in English letters; spaces, dots, apostrophes and hyphens are allowed.",
		"ഇംഗ്ലീഷ് അക്ഷരങ്ങളിൽ എഴുതുക; സ്പേസ്, കുത്ത്, അപ്പോസ്ട്രഫി, ഹൈഫൻ എന്നിവ ആകാം.")
	nameRuleMalayalam = domain.T("write it in Malayalam script; spaces and dots are allowed.",
		"മലയാളം ലിപിയിൽ എഴുതുക; സ്പേസും കുത്തും ആകാം.")
)

// validateName checks the English and Malayalam parts of a name field. The
// English part is the one required: registers, certificates and search key
// on it, while a Malayalam spelling is welcome but optional.
func validateName(f Field, values, clean map[string]string, fe domain.FieldErrors) {
	limit := f.MaxLen
	if limit == 0 {
		limit = DefaultMaxLen(FieldName)
	}
	// The labels are made only for a fault: most forms have none, and
	// this runs for every name of every application.
	parts := [2]struct {
		key      string
		script   domain.Text
		required bool
		ok       func(string) bool
		rule     domain.Text
	}{
		{f.Name + "_en", domain.T(" (English)", " (ഇംഗ്ലീഷിൽ)"), f.Required, isEnglishName, nameRuleEnglish},
		{f.Name + "_ml", domain.T(" (Malayalam)", " (മലയാളത്തിൽ)"), false, isMalayalamName, nameRuleMalayalam},
	}
	for _, part := range parts {
		label := func() domain.Text { return domain.T(f.Label.En+part.script.En, f.Label.Ml+part.script.Ml) }
		v, ok := cleanText(values[part.key], false)
		v = strings.Join(strings.Fields(v), " ")
		switch {
		case !ok:
			fe.Add(part.key, fault(label(), msgControl))
		case v == "" && part.required:
			fe.Add(part.key, fault(label(), msgRequired))
		case v == "":
		case utf8.RuneCountInString(v) > limit:
			fe.Add(part.key, fault(label(), tooLong(limit, v)))
		case !part.ok(v):
			fe.Add(part.key, fault(label(), part.rule))
		default:
			clean[part.key] = v
		}
	}
}

// validateValue checks one value of a field that is not a name or a
// document, returning the cleaned value or what is wrong with it.
func validateValue(f Field, raw string, lb domain.LocalBody, today string) (string, *domain.Text) {
	multiline := f.Type == FieldAddress || f.Type == FieldTextarea
	v, ok := cleanText(raw, multiline)
	if !ok {
		if multiline {
			return "", faultp(f.Label, msgControlMultiline)
		}
		return "", faultp(f.Label, msgControl)
	}
	if v == "" {
		if f.Required {
			return "", faultp(f.Label, msgRequired)
		}
		return "", nil
	}
	limit := f.MaxLen
	if limit == 0 {
		limit = DefaultMaxLen(f.Type)
	}
	if utf8.RuneCountInString(v) > limit {
		return "", faultp(f.Label, tooLong(limit, v))
	}

	switch f.Type {
	case FieldDate:
		d, ok := parseDate(v)
		if !ok {
			return "", faultp(f.Label, msgDate)
		}
		switch {
		case f.DateRule == DatePast && d > today:
			return "", faultp(f.Label, msgPast)
		case f.DateRule == DateFuture && d < today:
			return "", faultp(f.Label, msgFuture)
		}
		return d, nil
	case FieldNumber:
		if !numberPattern.MatchString(v) {
			return "", faultp(f.Label, msgNumber)
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return "", faultp(f.Label, msgNumber)
		}
		if f.Min != nil && n < *f.Min {
			return "", faultp(f.Label, domain.T("must be at least "+formatNumber(*f.Min)+".",
				"കുറഞ്ഞത് "+formatNumber(*f.Min)+" ആയിരിക്കണം."))
		}
		if f.Max != nil && n > *f.Max {
			return "", faultp(f.Label, domain.T("must be at most "+formatNumber(*f.Max)+".",
				"പരമാവധി "+formatNumber(*f.Max)+" ആകാം."))
		}
		return formatNumber(n), nil
	case FieldChoice:
		for _, c := range f.Choices {
			if c.Value == v {
				return v, nil
			}
		}
		return "", faultp(f.Label, msgChoice)
	case FieldWard:
		n, err := strconv.Atoi(v)
		if err != nil || !wardPattern.MatchString(v) || !lb.HasWard(n) {
			return "", faultp(f.Label, msgWard)
		}
		return strconv.Itoa(n), nil
	case FieldPhone:
		p, ok := normalisePhone(v)
		if !ok {
			return "", faultp(f.Label, msgPhone)
		}
		return p, nil
	case FieldEmail:
		if !isEmail(v) {
			return "", faultp(f.Label, msgEmail)
		}
		return v, nil
	}
	// Free text (text, address, textarea) is kept as typed: markup such as
	// <script> is only text here, and the web layer escapes it on output.
	return v, nil
}

// cleanText trims s and reports whether it is free of characters a form
// value must not hold: invalid UTF-8, control characters (a multi-line value
// may keep newlines and tabs) and bidirectional overrides, which can make
// text read differently from what it holds. A multi-line value's line ends
// become "\n", as browsers send text areas with "\r\n".
func cleanText(s string, multiline bool) (string, bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	if multiline {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	s = strings.TrimSpace(s)
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || isBidiControl(r) {
			return "", false
		}
	}
	return s, true
}

// isEnglishName reports whether s is a name in Latin letters with spaces,
// dots, apostrophes and hyphens, and at least one letter.
func isEnglishName(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Latin, r) && unicode.IsLetter(r):
			letters++
		case r == ' ' || r == '.' || r == '\'' || r == '-' || r == '’':
		default:
			return false
		}
	}
	return letters > 0
}

// isMalayalamName reports whether s is a name in Malayalam script with
// spaces and dots, and at least one Malayalam letter. Zero-width joiners are
// allowed because older keyboards spell chillu letters with them.
func isMalayalamName(s string) bool {
	for _, r := range s {
		switch {
		case isMalayalam(r):
		case r == ' ' || r == '.' || r == zwj || r == zwnj:
		default:
			return false
		}
	}
	return hasMalayalam(s)
}

var (
	datePattern     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	numberPattern   = regexp.MustCompile(`^-?\d{1,15}(\.\d{1,6})?$`)
	wardPattern     = regexp.MustCompile(`^\d{1,4}$`)
	indianMobile    = regexp.MustCompile(`^(?:\+91|91|0)?([6-9]\d{9})$`)
	overseasPhone   = regexp.MustCompile(`^\+[1-9]\d{7,14}$`)
	phoneSeparators = strings.NewReplacer(" ", "", "-", "")
	emailPattern    = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+/=?^_{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$`)
)

// parseDate returns s as YYYY-MM-DD if it is a real calendar date.
func parseDate(s string) (string, bool) {
	if !datePattern.MatchString(s) {
		return "", false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "", false // e.g. 2026-02-31: time.Parse checks the day of the month
	}
	return t.Format(time.DateOnly), true
}

// normalisePhone accepts an Indian mobile number (10 digits starting 6-9,
// optionally after +91, 91 or 0) or an overseas number (+, country code and
// number, 8 to 15 digits in all), with spaces or hyphens between digits. An
// Indian number comes back as +91XXXXXXXXXX, an overseas one as +digits, so
// that messaging always gets one form.
func normalisePhone(s string) (string, bool) {
	s = phoneSeparators.Replace(s)
	if m := indianMobile.FindStringSubmatch(s); m != nil {
		return "+91" + m[1], true
	}
	if strings.HasPrefix(s, "+91") {
		return "", false // an Indian number that is not a mobile number
	}
	if overseasPhone.MatchString(s) {
		return s, true
	}
	return "", false
}

// isEmail reports whether s is a plain address (no display name) with a
// domain that has a dot; that is what mail can be delivered to from here.
func isEmail(s string) bool {
	local, _, ok := strings.Cut(s, "@")
	return ok && len(local) <= 64 && emailPattern.MatchString(s)
}

func formatNumber(n float64) string { return strconv.FormatFloat(n, 'f', -1, 64) }

// fault words a problem with the field labelled label, in both languages.
func fault(label domain.Text, msg domain.Text) domain.Text {
	return domain.T(label.En+": "+msg.En, label.Ml+": "+msg.Ml)
}

func faultp(label domain.Text, msg domain.Text) *domain.Text {
	t := fault(label, msg)
	return &t
}

func tooLong(limit int, v string) domain.Text {
	n := utf8.RuneCountInString(v)
	return domain.T(fmt.Sprintf("use at most %d characters (this has %d).", limit, n),
		fmt.Sprintf("പരമാവധി %d അക്ഷരങ്ങൾ ഉപയോഗിക്കുക (ഇതിൽ %d ഉണ്ട്).", limit, n))
}

// Messages for faulty fields; fault prefixes each with the field's label.
var (
	msgRequired         = domain.T("this is required.", "ഇത് നൽകേണ്ടതാണ്.")
	msgControl          = domain.T("remove line breaks and control characters.", "വരി മാറ്റങ്ങളും നിയന്ത്രണ അക്ഷരങ്ങളും ഒഴിവാക്കുക.")
	msgControlMultiline = domain.T("remove control characters.", "നിയന്ത്രണ അക്ഷരങ്ങൾ ഒഴിവാക്കുക.")
	msgDate             = domain.T("enter a real date as YYYY-MM-DD, e.g. 2026-01-31.", "ശരിയായ തീയതി YYYY-MM-DD രൂപത്തിൽ നൽകുക, ഉദാ: 2026-01-31.")
	msgPast             = domain.T("the date cannot be in the future.", "ഭാവിയിലെ തീയതി നൽകാൻ പാടില്ല.")
	msgFuture           = domain.T("the date cannot be in the past.", "കഴിഞ്ഞുപോയ തീയതി നൽകാൻ പാടില്ല.")
	msgNumber           = domain.T("enter a number in digits, e.g. 120 or 85.5.", "അക്കങ്ങളിൽ ഒരു സംഖ്യ നൽകുക, ഉദാ: 120 അല്ലെങ്കിൽ 85.5.")
	msgChoice           = domain.T("choose one of the listed options.", "പട്ടികയിലുള്ളവയിൽ ഒന്ന് തിരഞ്ഞെടുക്കുക.")
	msgWard             = domain.T("choose a ward of this local body.", "ഈ തദ്ദേശ സ്ഥാപനത്തിലെ ഒരു വാർഡ് തിരഞ്ഞെടുക്കുക.")
	msgPhone            = domain.T("enter a 10-digit Indian mobile number, or an overseas number as + country code and number.", "10 അക്ക ഇന്ത്യൻ മൊബൈൽ നമ്പർ, അല്ലെങ്കിൽ വിദേശ നമ്പർ + രാജ്യ കോഡ് സഹിതം നൽകുക.")
	msgEmail            = domain.T("enter an e-mail address like name@example.com.", "name@example.com പോലെയുള്ള ഇ-മെയിൽ വിലാസം നൽകുക.")
)
