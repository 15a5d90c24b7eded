package catalogue

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"

	"ksmart/appliance/domain"
)

//go:embed services/*.json
var embedded embed.FS

// ValidationError lists every problem found in a catalogue, each naming the
// file, the service and what to fix.
type ValidationError struct {
	Problems []string
}

// Error returns the problems one per line.
func (e *ValidationError) Error() string {
	return strings.Join(e.Problems, "\n")
}

// Load loads the catalogue embedded in the binary. An error is a
// *ValidationError; it can only happen when the embedded files are broken,
// which the package's tests catch.
func Load() (*Catalogue, error) {
	files, err := Embedded()
	if err != nil {
		return nil, err
	}
	return Parse(files)
}

// Embedded returns the data files embedded in the binary, by name, for a
// caller that adds files of its own before Parse.
func Embedded() (map[string][]byte, error) {
	sub, err := fs.Sub(embedded, "services")
	if err != nil {
		return nil, err
	}
	return readFiles(sub)
}

// LoadFS loads every *.json file at the root of fsys as a catalogue, e.g.
// os.DirFS(dir) to override the embedded services with a directory of one's
// own. Problems in the files are returned as one *ValidationError.
func LoadFS(fsys fs.FS) (*Catalogue, error) {
	files, err := readFiles(fsys)
	if err != nil {
		return nil, err
	}
	return Parse(files)
}

func readFiles(fsys fs.FS) (map[string][]byte, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(names))
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("catalogue: read %s: %w", name, err)
		}
		files[name] = b
	}
	return files, nil
}

// serviceFile is the shape of one data file: the module and its services.
// Services are kept raw so that each is decoded on its own, and a mistake in
// one does not hide the problems of the others.
type serviceFile struct {
	Module   string            `json:"module"`
	Services []json.RawMessage `json:"services"`
}

// Parse builds a catalogue from data files keyed by file name. It checks
// everything at once and returns a *ValidationError listing every problem;
// on success the catalogue holds every service of every file.
func Parse(files map[string][]byte) (*Catalogue, error) {
	var p problems
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) == 0 {
		p.add("no service files: add one JSON file per module, e.g. civil_registration.json")
	}

	var services []Service
	where := map[string]string{} // service code -> the file that defines it
	abbrs := map[string]string{} // abbr -> the service that has it
	for _, name := range names {
		for _, s := range parseFile(name, files[name], &p) {
			if s.Code == "" {
				continue // already reported by checkService
			}
			if other, dup := where[s.Code]; dup {
				if other == name {
					other = "this file"
				}
				p.addf("%s: service %q: duplicate service code, already used in %s; give each service its own code", name, s.Code, other)
				continue
			}
			if other, dup := abbrs[s.Abbr]; dup && s.Abbr != "" {
				p.addf("%s: service %q: abbr %q is already %q's; application numbers need each service's own", name, s.Code, s.Abbr, other)
			}
			abbrs[s.Abbr] = s.Code
			where[s.Code] = name
			services = append(services, s)
		}
	}
	if len(p) > 0 {
		return nil, &ValidationError{Problems: p}
	}
	return newCatalogue(services), nil
}

// parseFile decodes and checks one data file, reporting its problems to p,
// and returns the services it could decode (checked or not).
func parseFile(name string, data []byte, p *problems) []Service {
	var f serviceFile
	if err := decodeStrict(data, &f); err != nil {
		p.addf("%s: %s", name, jsonProblem(err))
		if json.Unmarshal(data, &f) != nil {
			return nil // not JSON at all; nothing more to check
		}
	}
	switch {
	case f.Module == "":
		p.addf("%s: no \"module\"; set it to the module of the file's services: %s", name, strings.Join(Modules, ", "))
	case !KnownModule(f.Module):
		p.addf("%s: unknown module %q; use one of %s", name, f.Module, strings.Join(Modules, ", "))
	}
	if len(f.Services) == 0 {
		p.addf("%s: no services; add them under \"services\"", name)
	}

	var out []Service
	for i, raw := range f.Services {
		var s Service
		looseErr := json.Unmarshal(raw, &s)
		where := serviceWhere(name, i, s.Code)
		if err := decodeStrict(raw, new(Service)); err != nil {
			p.addf("%s: %s", where, jsonProblem(err))
		}
		if looseErr != nil {
			continue
		}
		switch {
		case s.Module == "":
			s.Module = f.Module
		case !KnownModule(s.Module):
			p.addf("%s: unknown module %q; use one of %s", where, s.Module, strings.Join(Modules, ", "))
		case s.Module != f.Module:
			p.addf("%s: module %q differs from the file's module %q; move the service to that module's file", where, s.Module, f.Module)
		}
		checkService(s, where, p)
		out = append(out, s)
	}
	return out
}

// decodeStrict decodes one JSON value into v, refusing keys v does not have
// and anything after the value.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// jsonProblem turns a decoding error into a sentence saying what to fix.
func jsonProblem(err error) string {
	msg := err.Error()
	if key, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return fmt.Sprintf("unknown key %s; remove it or correct its spelling", key)
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("invalid JSON at byte %d: %s", syn.Offset, msg)
	}
	return msg
}

func serviceWhere(file string, i int, code string) string {
	if code == "" {
		return fmt.Sprintf("%s: service #%d", file, i+1)
	}
	return fmt.Sprintf("%s: service %q", file, code)
}

// problems collects the catalogue's problems in the order they are found.
type problems []string

func (p *problems) add(s string) { *p = append(*p, s) }

func (p *problems) addf(format string, args ...any) { p.add(fmt.Sprintf(format, args...)) }

var (
	// codePattern is the form of service, field, document, step and choice
	// codes: they appear in URLs, form keys and application numbers.
	codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	// choicePattern also allows a leading digit, for values like "2026_27".
	choicePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_]{0,39}$`)
	abbrPattern   = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,4}$`)
	// headPattern is the form of an account head's code: 140-40.
	headPattern = regexp.MustCompile(`^[0-9]{3}-[0-9]{2}$`)
)

// checkService reports every problem of one service to p; where names the
// file and the service.
func checkService(s Service, where string, p *problems) {
	switch {
	case s.Code == "":
		p.addf("%s: no \"code\"; add one in lower-case snake case, e.g. \"birth_certificate\"", where)
	case !codePattern.MatchString(s.Code):
		p.addf("%s: code must be lower-case letters, digits and underscores, starting with a letter, at most 40 characters", where)
	}
	if !abbrPattern.MatchString(s.Abbr) {
		p.addf("%s: abbr %q must be 2-5 capital letters or digits, starting with a letter (it is the service's part of application numbers, e.g. BC)", where, s.Abbr)
	}
	checkName(where+": name", s.Name, p)
	checkProse(where+": description", s.Description, p)
	for _, k := range s.ApplicantKinds {
		if !slices.Contains(applicantKinds, k) {
			p.addf("%s: unknown applicant kind %q; use %s or leave applicant_kinds out", where, k, strings.Join(applicantKinds, ", "))
		}
	}
	checkFields(s, where, p)
	checkDocuments(s, where, p)
	checkSteps(s, where, p)
	checkVideoKYC(s, where, p)
	checkRTS(s, where, p)

	switch s.Fee.Kind {
	case FeeNone:
		if s.Fee.Amount != 0 {
			p.addf("%s: fee kind \"none\" has an amount; remove the amount or use kind \"flat\"", where)
		}
	case FeeFlat:
		if s.Fee.Amount <= 0 {
			p.addf("%s: flat fee needs a positive amount in paise (₹10 is 1000)", where)
		}
	case FeeComputed:
	case FeeBands:
		checkBands(s, where, p)
	case "":
		p.addf("%s: no fee; add \"fee\" with kind none, flat, computed or bands", where)
	default:
		p.addf("%s: unknown fee kind %q; use none, flat, computed or bands", where, s.Fee.Kind)
	}
	if s.Fee.Kind != FeeBands && (len(s.Fee.Bands) > 0 || s.Fee.Outside != (domain.Text{})) {
		p.addf("%s: fee bands are given but the fee kind is %q; use kind \"bands\"", where, s.Fee.Kind)
	}
	switch s.Fee.Pay {
	case "", PayOnApplication, PayBeforeIssue:
	default:
		p.addf("%s: fee pay %q: use %q, %q, or leave it out (before issue)", where, s.Fee.Pay, PayOnApplication, PayBeforeIssue)
	}
	if s.Fee.Head != "" && !headPattern.MatchString(s.Fee.Head) {
		p.addf("%s: fee head %q is not an account head code like 140-40", where, s.Fee.Head)
	}
	if s.Fee.Kind == FeeNone && (s.Fee.Pay != "" || s.Fee.Head != "") {
		p.addf("%s: a service with no fee has no pay or head; remove them", where)
	}
	if s.Fee.Amount < 0 || s.Fee.Amount%100 != 0 {
		p.addf("%s: fee amount %d is not whole rupees; amounts are in paise (₹10 is 1000)", where, s.Fee.Amount)
	}

	if w := s.Fee.Waiver; w != nil {
		var field, proof *Field
		for i := range s.Fields {
			switch s.Fields[i].Name {
			case w.Field:
				field = &s.Fields[i]
			case w.Proof:
				proof = &s.Fields[i]
			}
		}
		if field == nil || field.Type != FieldChoice || proof == nil || proof.Type != FieldDocument {
			p.addf("%s: fee waiver: field %q must be a choice field and proof %q a document field of the service", where, w.Field, w.Proof)
		}
		checkName(where+": fee waiver: basis", w.Basis, p)
	}
	if s.TimeLimitDays <= 0 || s.TimeLimitDays > 365 {
		p.addf("%s: time_limit_days must be between 1 and 365 days, got %d", where, s.TimeLimitDays)
	}
	if !slices.Contains(issueKinds, s.Issues) {
		p.addf("%s: unknown issued document %q; use one of %s, or leave issues out", where, s.Issues, strings.Join(issueKinds[:len(issueKinds)-1], ", "))
	}
}

func checkFields(s Service, where string, p *problems) {
	if len(s.Fields) == 0 {
		p.addf("%s: no fields; a service needs at least one form field", where)
	}
	keys := map[string]bool{} // submitted form keys, to catch collisions
	for i, f := range s.Fields {
		fw := fmt.Sprintf("%s: field #%d", where, i+1)
		if f.Name != "" {
			fw = fmt.Sprintf("%s: field %q", where, f.Name)
		}
		switch {
		case f.Name == "":
			p.addf("%s: no \"name\"; add one in lower-case snake case", fw)
		case !codePattern.MatchString(f.Name):
			p.addf("%s: name must be lower-case letters, digits and underscores, starting with a letter", fw)
		default:
			formKeys := []string{f.Name}
			if f.Type == FieldName {
				formKeys = []string{f.Name + "_en", f.Name + "_ml"}
			}
			for _, k := range formKeys {
				if keys[k] {
					p.addf("%s: duplicate field name %q in the service; rename one of them", fw, k)
				}
				keys[k] = true
			}
		}
		checkName(fw+": label", f.Label, p)
		checkProse(fw+": help", f.Help, p)
		if !slices.Contains(fieldTypes, f.Type) {
			p.addf("%s: bad field type %q; use one of %s", fw, f.Type, strings.Join(fieldTypes, ", "))
		}

		if f.Type == FieldChoice && len(f.Choices) == 0 {
			p.addf("%s: choice field has no choices; add \"choices\" with a value and label each", fw)
		}
		if f.Type != FieldChoice && len(f.Choices) > 0 {
			p.addf("%s: only a choice field may have choices; remove them or make the type \"choice\"", fw)
		}
		values := map[string]bool{}
		for _, c := range f.Choices {
			if !choicePattern.MatchString(c.Value) {
				p.addf("%s: choice value %q must be lower-case letters, digits and underscores", fw, c.Value)
			}
			if values[c.Value] {
				p.addf("%s: duplicate choice value %q", fw, c.Value)
			}
			values[c.Value] = true
			checkName(fmt.Sprintf("%s: choice %q: label", fw, c.Value), c.Label, p)
		}

		switch f.Type {
		case FieldText, FieldName, FieldAddress, FieldTextarea, FieldEmail:
			if f.MaxLen < 0 {
				p.addf("%s: max_len must be positive, or left out for the default", fw)
			}
		default:
			if f.MaxLen != 0 {
				p.addf("%s: max_len applies only to text, name, address, textarea and email fields; remove it", fw)
			}
		}
		if f.Type != FieldNumber && (f.Min != nil || f.Max != nil) {
			p.addf("%s: min and max apply only to number fields; remove them", fw)
		}
		if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
			p.addf("%s: min %v is greater than max %v", fw, *f.Min, *f.Max)
		}
		switch {
		case f.DateRule == "":
		case f.Type != FieldDate:
			p.addf("%s: date_rule applies only to date fields; remove it", fw)
		case f.DateRule != DatePast && f.DateRule != DateFuture:
			p.addf("%s: unknown date_rule %q; use \"past\" or \"future\", or leave it out", fw, f.DateRule)
		}
	}
}

func checkDocuments(s Service, where string, p *problems) {
	seen := map[string]bool{}
	for i, d := range s.Documents {
		dw := fmt.Sprintf("%s: document #%d", where, i+1)
		if d.Code != "" {
			dw = fmt.Sprintf("%s: document %q", where, d.Code)
		}
		if !codePattern.MatchString(d.Code) {
			p.addf("%s: code must be lower-case letters, digits and underscores, starting with a letter", dw)
		}
		if seen[d.Code] {
			p.addf("%s: duplicate document code", dw)
		}
		seen[d.Code] = true
		checkName(dw+": name", d.Name, p)
	}
}

func checkSteps(s Service, where string, p *problems) {
	if len(s.Steps) == 0 {
		p.addf("%s: no steps; add the workflow steps in order, the last being the approving authority", where)
	}
	roles := make([]string, len(officeRoles))
	for i, r := range officeRoles {
		roles[i] = string(r)
	}
	seen := map[string]bool{}
	for i, st := range s.Steps {
		sw := fmt.Sprintf("%s: step %d", where, i+1)
		if st.Code != "" {
			sw = fmt.Sprintf("%s: step %d %q", where, i+1, st.Code)
		}
		if !codePattern.MatchString(st.Code) {
			p.addf("%s: code must be lower-case letters, digits and underscores, starting with a letter", sw)
		}
		if seen[st.Code] {
			p.addf("%s: duplicate step code", sw)
		}
		seen[st.Code] = true
		checkName(sw+": name", st.Name, p)
		switch {
		case !st.Role.Known():
			p.addf("%s: unknown role %q; use one of %s", sw, st.Role, strings.Join(roles, ", "))
		case !slices.Contains(officeRoles, st.Role):
			p.addf("%s: role %q does not act on files; use one of %s", sw, st.Role, strings.Join(roles, ", "))
		}
	}
}

// checkName checks a bilingual name or label: both languages present, the
// English free of Malayalam (a sign of swapped languages) and the Malayalam
// in Malayalam script with no Latin letters, as the public reads it.
func checkName(what string, t domain.Text, p *problems) {
	en, ml := strings.TrimSpace(t.En), strings.TrimSpace(t.Ml)
	if en == "" {
		p.addf("%s: missing English; add \"en\"", what)
	} else if hasMalayalam(en) {
		p.addf("%s: English %q contains Malayalam script; are \"en\" and \"ml\" swapped?", what, en)
	}
	switch {
	case ml == "":
		p.addf("%s: missing Malayalam; add \"ml\"", what)
	case !hasMalayalam(ml) || hasLatinLetter(ml):
		p.addf("%s: Malayalam %q is not in Malayalam script; write it in Malayalam letters", what, ml)
	}
}

// checkProse checks optional bilingual prose (descriptions, help): when
// either language is given both must be, and the Malayalam must be in
// Malayalam script; Latin letters are allowed there for acronyms and
// examples such as "KMBR 2019".
func checkProse(what string, t domain.Text, p *problems) {
	en, ml := strings.TrimSpace(t.En), strings.TrimSpace(t.Ml)
	if en == "" && ml == "" {
		return
	}
	if en == "" {
		p.addf("%s: missing English; add \"en\"", what)
	}
	switch {
	case ml == "":
		p.addf("%s: missing Malayalam; add \"ml\"", what)
	case !hasMalayalam(ml):
		p.addf("%s: Malayalam %q is not in Malayalam script; write it in Malayalam letters", what, ml)
	}
}

// checkBands checks a banded fee: bands in order, not overlapping, whole
// rupees, named in both languages, with sound extra documents, and the
// rule's basis and refusal text present.
func checkBands(s Service, where string, p *problems) {
	r := s.Fee
	if len(r.Bands) == 0 {
		p.addf("%s: fee kind \"bands\" needs at least one band", where)
		return
	}
	if r.Basis.En == "" || r.Outside.En == "" {
		p.addf("%s: a banded fee needs \"basis\" (from what date the delay counts) and \"outside\" (what to do when no band applies), in both languages", where)
	}
	checkProse(where+": fee basis", r.Basis, p)
	checkProse(where+": fee outside", r.Outside, p)
	for i, b := range r.Bands {
		bw := fmt.Sprintf("%s: fee band %d", where, i+1)
		checkName(bw+": name", b.Name, p)
		if b.FromDays < 0 || (b.ToDays != 0 && b.ToDays < b.FromDays) {
			p.addf("%s: days run from %d to %d; from_days must be 0 or more and to_days at least from_days (0 for no upper bound)", bw, b.FromDays, b.ToDays)
		}
		if i > 0 {
			prev := r.Bands[i-1]
			if prev.ToDays == 0 || b.FromDays <= prev.ToDays {
				p.addf("%s: overlaps the band before it; bands must be in order and must not overlap", bw)
			}
		}
		if b.Amount < 0 || b.Amount%100 != 0 {
			p.addf("%s: amount %d is not whole rupees; amounts are in paise (₹10 is 1000)", bw, b.Amount)
		}
		for _, d := range b.Documents {
			if !codePattern.MatchString(d.Code) {
				p.addf("%s: document code %q must be lower-case snake case", bw, d.Code)
			}
			checkName(bw+": document "+d.Code, d.Name, p)
		}
	}
}

// checkVideoKYC reports a video_kyc rule naming fields the form lacks: a
// condition on a choice field with that value, persons as name fields.
func checkVideoKYC(s Service, where string, p *problems) {
	k := s.VideoKYC
	if k == nil {
		return
	}
	byName := map[string]Field{}
	for _, f := range s.Fields {
		byName[f.Name] = f
	}
	f, ok := byName[k.Field]
	if !ok || !slices.ContainsFunc(f.Choices, func(c Choice) bool { return c.Value == k.Value }) {
		p.addf("%s: video_kyc's condition names field %q with value %q, which its form does not offer", where, k.Field, k.Value)
	}
	if len(k.Persons) == 0 {
		p.addf("%s: video_kyc names no persons who must appear on the call", where)
	}
	for _, n := range k.Persons {
		if byName[n].Type != FieldName {
			p.addf("%s: video_kyc's person %q is not a name field of its form", where, n)
		}
	}
}
