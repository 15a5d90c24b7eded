package propertytax

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/store"
)

// Legacy import: the property register a local body kept before ksmart
// (exported from the old software, or typed into a spreadsheet) comes in
// as a CSV file, one row a building, and each good row becomes a building
// of the register under the number it always had, taxed by ksmart from the
// current half-year on. What the old system says is still owed becomes one
// arrears demand per building (pt_demand "<building id>/arrears"), so that
// the building's dues, its notice and the counter show it beside the
// half-years ksmart demands.
//
// Every row is checked as the register checks a building (Rules.Check)
// before anything is written; a bad row is reported with its line, the
// column and the reason, and changes nothing; the good rows around it are
// imported, importBatch to a write. A building already in the register
// under the row's number, for the same first owner, is "already present",
// so the same file can be run again after its bad rows are corrected.
//
// The point of it is the parity report. A migration that loses buildings
// loses their tax for good, and nobody notices until the demand falls
// short: Kochi's lost 50,000 building records silently. So the import
// reads the register back after it has written and sets, ward by ward,
// the file (rows, buildings, the annual tax and the arrears the old
// system had) beside the register (buildings registered, the annual tax
// as ksmart reckons it, the arrears demanded), with every refused row and
// every ward that does not reconcile named.

// importBatch is how many rows one Store.Write imports: each row is a
// building, its event, the half-year's demand and perhaps an arrears
// demand, so a batch is about as large as a batch of the demand job.
const importBatch = 500

// maxImportProblems is how many bad rows an ImportReport lists; all are
// counted.
const maxImportProblems = 1000

// ArrearsKey is the key, in place of a half-year, of a building's demand
// for the arrears brought from the register kept before ksmart: its Due
// says "arrears".
const ArrearsKey = "arrears"

// legacyInterestKey is the part of an arrears demand that is the penal
// interest the old system had charged: an interest part (monthsDue does
// not charge interest on it), but not a month ksmart charged.
const legacyInterestKey = interestKey + "legacy"

// TaxTolerancePercent is how far a ward's annual tax as ksmart reckons it
// may be from the old system's before the parity report calls it a
// difference.
const TaxTolerancePercent = 1

// ImportColumn is a column of a legacy property register file.
type ImportColumn struct {
	Name     string
	Required bool
	Help     string
}

// ImportColumns are the columns of a legacy property register file, in
// the order the help lists them. A file has a header row naming its
// columns, in any order.
var ImportColumns = []ImportColumn{
	{"building_number", true, "ward/door number as the register has it, e.g. 12/345 or 12/345A"},
	{"ward", true, "the ward's number; must be the building number's ward"},
	{"owners", true, "each owner as name:share:phone, owners separated by ';' (e.g. \"Ravi Kumar:60:9847012345;Sita Devi:40:\"); shares in percent add up to 100; a sole owner's share may be left out; the phone is a 10-digit mobile number or blank"},
	{"owners_ml", false, "the owners' names in Malayalam, in the same order, separated by ';'"},
	{"floors", true, "each floor from the ground up as use:area in m², separated by ';' (e.g. \"residential:85.5;commercial:40\"); add :unauthorised to a floor built without permission (\"residential:30:unauthorised\"); uses: " + strings.Join(sortedKeys(useNames), ", ")},
	{"plot_area_sqm", true, "the plot's area in m²"},
	{"zone", false, strings.Join(sortedKeys(zoneNames), ", ") + "; blank: the council's default zone"},
	{"road", true, strings.Join(sortedKeys(roadNames), ", ")},
	{"construction", true, strings.Join(sortedKeys(constructionNames), ", ")},
	{"year_built", true, "the year it was built, e.g. 1998"},
	{"occupancy", true, "owner (the owner lives or works there) or rented"},
	{"flat", false, "yes for a unit of an apartment building (not exempt as a small house); blank or no otherwise"},
	{"exemption", false, "a ground of exemption an officer granted (religious_worship, charitable_education, government), or blank"},
	{"address_en", false, "the building's address"},
	{"address_ml", false, "the address in Malayalam"},
	{"survey_number", false, "the survey number of the plot"},
	{"annual_tax_rs", true, "the year's property tax as the old system had it, in rupees, without service cess (e.g. 1389 or 1389.50)"},
	{"arrears_rs", false, "what the old system says is owed for the half-years before the current one, in rupees, its penal interest included; blank: nothing"},
	{"arrears_interest_rs", false, "of arrears_rs, how much is penal interest (ksmart charges interest on the rest only); blank: none"},
}

// ImportProgress is how far an import has got.
type ImportProgress struct {
	Read           int   `json:"read"` // data rows read from the file
	Imported       int   `json:"imported"`
	AlreadyPresent int   `json:"already_present"`
	Bad            int   `json:"bad"`
	Bytes          int64 `json:"bytes"` // bytes of the file read
}

// ImportReport is the outcome of an import: what was done with each row
// and the parity of the file and the register. Read = Imported +
// AlreadyPresent + Bad.
type ImportReport struct {
	Read           int `json:"read"`
	Imported       int `json:"imported"`
	AlreadyPresent int `json:"already_present"`
	Bad            int `json:"bad"`
	// Problems are the first maxImportProblems bad rows, in file order.
	Problems []RowProblem `json:"problems,omitempty"`
	Parity   Parity       `json:"parity"`
}

// RowProblem says why a row of the file was not imported: the column and
// the reason, for each thing wrong with it.
type RowProblem struct {
	Line   int          `json:"line"`             // the CSV line the row starts on; the header is line 1
	Number string       `json:"number,omitempty"` // the building number, as the row gives it
	Fields []FieldIssue `json:"fields"`
}

// FieldIssue is one thing wrong with a row.
type FieldIssue struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Reason is the problem in one line: "floors: …; plot_area_sqm: …".
func (p RowProblem) Reason() string {
	var parts []string
	for _, f := range p.Fields {
		parts = append(parts, f.Field+": "+f.Reason)
	}
	return strings.Join(parts, "; ")
}

// Parity sets the file beside the register, ward by ward.
type Parity struct {
	// Year is the financial year ksmart reckoned the annual tax for.
	Year  string       `json:"year"`
	Wards []WardParity `json:"wards"`
	Total WardParity   `json:"total"`
	// Reconciled: nothing was refused, and every ward reconciles.
	Reconciled bool `json:"reconciled"`
	// Differences name, one line each, what does not reconcile.
	Differences []string `json:"differences,omitempty"`
}

// WardParity is one ward's line of the parity report (Ward 0: rows whose
// ward could not be read; the total's Ward is 0 too).
type WardParity struct {
	Ward int `json:"ward"`
	// Before, the file: its rows, the distinct building numbers among
	// them, and the annual tax and the arrears the old system had, summed
	// over every row (refused rows too: what the file holds).
	Rows        int          `json:"rows"`
	Buildings   int          `json:"buildings"`
	FileTax     domain.Paise `json:"file_annual_tax_paise"`
	FileArrears domain.Paise `json:"file_arrears_paise"`
	// After, the register as read back once the import had written: the
	// file's buildings it holds, their annual tax as ksmart reckons it for
	// Year (without cess; exempt ones nothing), and the arrears demanded
	// for them.
	Registered int          `json:"registered"`
	Tax        domain.Paise `json:"annual_tax_paise"`
	Arrears    domain.Paise `json:"arrears_paise"`
	Refused    int          `json:"refused"`
	// TaxDifferencePercent is (Tax - FileTax) / FileTax, in percent.
	TaxDifferencePercent float64 `json:"tax_difference_percent"`
	Reconciled           bool    `json:"reconciled"`
}

// Import reads a CSV file of the register kept before ksmart (see
// ImportColumns) and enters its buildings in the register, as the revenue
// inspector, the secretary or an administrator (by) would one by one.
// The file is UTF-8 (a byte order mark is allowed) with a header row.
//
// A header with an unknown column, a column twice or a required column
// missing refuses the whole file (EINVALID) before anything is written.
// Otherwise each good row is imported, each row already in the register
// counted, and each bad row reported by line and changes nothing; then
// the register is read back for the parity report. progress, when not
// nil, is called after every batch.
//
// The batches written before a failure of the store or of r stay written;
// the report then counts them, and running the import again skips them.
func (p *PropertyTax) Import(r io.Reader, by domain.Actor, progress func(ImportProgress)) (ImportReport, error) {
	if !by.HasAny(domain.RoleRevenueInspector, domain.RoleSecretary, domain.RoleAdmin) && by.ID != domain.System.ID {
		return ImportReport{}, domain.Bilingual(domain.EFORBIDDEN, domain.T(
			"Only the revenue inspector, the secretary or an administrator may import a property register.",
			"വസ്തു രജിസ്റ്റർ ഇറക്കുമതി ചെയ്യാൻ റവന്യൂ ഇൻസ്പെക്ടർക്കോ സെക്രട്ടറിക്കോ അഡ്മിനിസ്ട്രേറ്റർക്കോ മാത്രമേ കഴിയൂ."))
	}
	now := p.Now()
	counted := &byteCounter{r: r}
	br := bufio.NewReaderSize(counted, 256<<10)
	if bom, _ := br.Peek(3); string(bom) == "\uFEFF" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cols, err := importHeader(cr)
	if err != nil {
		return ImportReport{}, err
	}
	im := &importer{p: p, by: by, now: now, cur: PeriodOf(now), cols: cols, seen: map[string]int{}, wards: map[int]*wardTally{}}
	var rep ImportReport
	var batch []importRow
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := im.write(batch, &rep)
		batch = batch[:0]
		if err == nil && progress != nil {
			progress(ImportProgress{Read: rep.Read, Imported: rep.Imported, AlreadyPresent: rep.AlreadyPresent, Bad: rep.Bad, Bytes: counted.n})
		}
		return err
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var perr *csv.ParseError
		switch {
		case errors.As(err, &perr):
			rep.Read++
			im.refuse(&rep, RowProblem{Line: perr.StartLine, Fields: []FieldIssue{{"row", "the row cannot be read: " + perr.Err.Error() + ` (a field with a comma or a quote in it must be in double quotes, with a quote inside written twice)`}}}, 0)
			continue
		case err != nil:
			if ferr := flush(); ferr != nil {
				return rep, ferr
			}
			return rep, fmt.Errorf("reading the file after %d bytes: %w", counted.n, err)
		case blankRow(rec):
			continue
		}
		line, _ := cr.FieldPos(0)
		rep.Read++
		row, problem := im.row(line, rec)
		if problem != nil {
			im.refuse(&rep, *problem, row.ward)
			continue
		}
		batch = append(batch, row)
		if len(batch) >= importBatch {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	if err := flush(); err != nil {
		return rep, err
	}
	if err := im.parity(&rep); err != nil {
		return rep, err
	}
	if rep.Imported > 0 {
		summary := rep
		summary.Problems = nil
		_, err := p.Store.Write(func(tx *store.Tx) error {
			return tx.Emit(by.ID, EventBuildingsImported, entityImport, now.UTC().Format(time.RFC3339Nano), summary)
		})
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// byteCounter counts the bytes read through it.
type byteCounter struct {
	r io.Reader
	n int64
}

func (c *byteCounter) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

func blankRow(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// importHeader reads the header row and returns the column each field of
// a row is ("" for none).
func importHeader(cr *csv.Reader) ([]string, error) {
	var required, optional []string
	known := map[string]bool{}
	for _, c := range ImportColumns {
		known[c.Name] = true
		if c.Required {
			required = append(required, c.Name)
		} else {
			optional = append(optional, c.Name)
		}
	}
	expected := fmt.Sprintf("a property register file needs a header row with the columns %s, and may have %s (ksmart import -h explains each)", strings.Join(required, ","), strings.Join(optional, ","))
	rec, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, domain.Errorf(domain.EINVALID, "the file is empty; %s", expected)
	}
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "the header row cannot be read (%v); %s", err, expected)
	}
	var cols, unknown, twice []string
	got := map[string]bool{}
	for i, h := range rec {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		switch {
		case name == "":
			unknown = append(unknown, fmt.Sprintf("an unnamed column (number %d)", i+1))
		case !known[name]:
			unknown = append(unknown, strconv.Quote(h))
		case got[name]:
			twice = append(twice, name)
		}
		got[name] = true
		cols = append(cols, name)
	}
	var missing []string
	for _, c := range required {
		if !got[c] {
			missing = append(missing, c)
		}
	}
	var problems []string
	if len(unknown) > 0 {
		problems = append(problems, "unknown column "+strings.Join(unknown, ", "))
	}
	if len(twice) > 0 {
		problems = append(problems, "column "+strings.Join(twice, ", ")+" given twice")
	}
	if len(missing) > 0 {
		problems = append(problems, "missing column "+strings.Join(missing, ", "))
	}
	if len(problems) > 0 {
		return nil, domain.Errorf(domain.EINVALID, "the header row does not fit a property register file, so nothing was imported: %s. %s", strings.Join(problems, "; "), strings.ToUpper(expected[:1])+expected[1:])
	}
	return cols, nil
}

// importRow is a checked row, ready to write.
type importRow struct {
	line     int
	ward     int // the ward the row is counted under (0: not known)
	b        Building
	tax      domain.Paise // annual tax, as the old system had it
	arrears  domain.Paise
	interest domain.Paise // of arrears, penal interest
}

// wardTally is a ward's figures as the import goes.
type wardTally struct {
	WardParity
	ids []string // the file's buildings that are in the register: imported or already present
}

// importer holds one import's state.
type importer struct {
	p    *PropertyTax
	by   domain.Actor
	now  time.Time
	cur  Period
	cols []string
	// seen maps the building ids of the file's rows to their first line,
	// to catch a number given twice.
	seen  map[string]int
	wards map[int]*wardTally
}

func (im *importer) ward(w int) *wardTally {
	if im.wards[w] == nil {
		im.wards[w] = &wardTally{WardParity: WardParity{Ward: w}}
	}
	return im.wards[w]
}

// refuse records a bad row.
func (im *importer) refuse(rep *ImportReport, p RowProblem, ward int) {
	rep.Bad++
	if len(rep.Problems) < maxImportProblems {
		rep.Problems = append(rep.Problems, p)
	}
	w := im.ward(ward)
	w.Refused++
	if p.Fields[0].Field == "row" {
		w.Rows++ // a row that could not be read is counted where it can be: nowhere but ward 0
	}
}

// row checks one data row. It returns the row (with its ward, and its
// file figures counted, when they can be read) or why it is refused.
func (im *importer) row(line int, rec []string) (importRow, *RowProblem) {
	row := importRow{line: line}
	prob := &RowProblem{Line: line}
	bad := func(field, format string, a ...any) {
		prob.Fields = append(prob.Fields, FieldIssue{field, fmt.Sprintf(format, a...)})
	}
	if len(rec) != len(im.cols) {
		bad("row", "the row has %d fields but the header has %d: check for a missing or extra comma (text with a comma in it must be in double quotes)", len(rec), len(im.cols))
		return row, prob
	}
	v := map[string]string{}
	for i, raw := range rec {
		s := strings.TrimSpace(raw)
		if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) {
			bad(im.cols[i], "has characters that are not text (control characters, or bytes that are not UTF-8: save the file as \"CSV UTF-8\")")
			continue
		}
		v[im.cols[i]] = s
	}
	for _, c := range ImportColumns {
		if c.Required && v[c.Name] == "" && !slices.ContainsFunc(prob.Fields, func(f FieldIssue) bool { return f.Field == c.Name }) {
			bad(c.Name, "is blank")
		}
	}
	b := &row.b
	prob.Number = v["building_number"]
	num, numErr := ParseNumber(v["building_number"])
	if v["building_number"] != "" && numErr != nil {
		bad("building_number", "%v", numErr)
	}
	ward, wardErr := strconv.Atoi(v["ward"])
	if v["ward"] != "" && wardErr != nil {
		bad("ward", "%q is not a ward's number", v["ward"])
	}
	switch {
	case numErr == nil:
		row.ward = num.Ward
		b.Number, b.ID, b.Ward = num.String(), num.ID(), num.Ward
		prob.Number = b.Number
		if wardErr == nil && ward != num.Ward {
			bad("ward", "building %s is in ward %d by its number, not ward %d", b.Number, num.Ward, ward)
		}
	case wardErr == nil:
		row.ward, b.Ward = ward, ward
	}

	// The file's figures count under the row's ward whether or not the row
	// is good: the parity report's "before" is the file as it is.
	t := im.ward(row.ward)
	t.Rows++
	if numErr == nil {
		if first, ok := im.seen[b.ID]; ok {
			bad("building_number", "building %s is on line %d already: a second building needs a number of its own (e.g. a sub-number %sA)", b.Number, first, b.Number)
		} else {
			im.seen[b.ID] = line
			t.Buildings++
		}
	}
	money := func(field string) domain.Paise {
		if v[field] == "" {
			return 0
		}
		amt, err := parseRupees(v[field])
		if err != nil {
			bad(field, "%v", err)
		}
		return amt
	}
	row.tax, row.arrears, row.interest = money("annual_tax_rs"), money("arrears_rs"), money("arrears_interest_rs")
	t.FileTax += row.tax
	t.FileArrears += row.arrears
	if row.interest > row.arrears {
		bad("arrears_interest_rs", "the interest (%s) is more than the arrears it is part of (%s)", row.interest, row.arrears)
	}

	if v["owners"] != "" {
		owners, err := parseOwners(v["owners"], v["owners_ml"])
		if err != nil {
			bad("owners", "%v", err)
		}
		b.Owners = owners
	}
	if v["floors"] != "" {
		floors, err := parseFloors(v["floors"])
		if err != nil {
			bad("floors", "%v", err)
		}
		b.Floors = floors
	}
	if v["plot_area_sqm"] != "" {
		a, err := ParseArea(v["plot_area_sqm"])
		if err != nil {
			bad("plot_area_sqm", "%v", err)
		}
		b.PlotArea = a
	}
	b.Zone, b.Road, b.Construction = v["zone"], v["road"], v["construction"]
	if b.Zone == "" {
		b.Zone = im.p.Rules.Local.DefaultZone
	}
	if v["year_built"] != "" {
		y, err := strconv.Atoi(v["year_built"])
		if err != nil {
			y = -1 // Check names the range
		}
		b.YearBuilt = y
	}
	b.Occupancy = strings.ToLower(v["occupancy"])
	switch strings.ToLower(v["flat"]) {
	case "", "no", "n", "false", "0":
	case "yes", "y", "true", "1":
		b.Flat = true
	default:
		bad("flat", "%q: write yes for a unit of an apartment building, or no", v["flat"])
	}
	b.Exemption = v["exemption"]
	b.Address = domain.T(v["address_en"], v["address_ml"])
	b.SurveyNumber = v["survey_number"]
	b.TaxedFrom = im.cur.String()

	// The register's own check, for what it checks; a field already found
	// wrong above is not reported twice.
	fe := im.p.Rules.Check(*b, im.p.LocalBody, im.now)
	for _, field := range sortedKeys(fe) {
		col := checkColumn(field)
		if slices.ContainsFunc(prob.Fields, func(f FieldIssue) bool { return f.Field == col }) {
			continue
		}
		bad(col, "%s", strings.TrimSuffix(fe[field].En, "."))
	}
	if len(prob.Fields) > 0 {
		return row, prob
	}
	return row, nil
}

// checkColumn is the file's column for a field Rules.Check names.
func checkColumn(field string) string {
	switch field {
	case "number":
		return "building_number"
	case "use", "plinth_area_sqm":
		return "floors"
	}
	return field
}

// parseRupees reads an amount in rupees as a clerk writes it: "1389",
// "1389.5", "1,389.50". More than two decimals, a sign or anything else is
// refused.
func parseRupees(s string) (domain.Paise, error) {
	clean := strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(s), "₹"), ",", "")
	whole, frac, dot := strings.Cut(clean, ".")
	bad := fmt.Errorf("%q is not an amount in rupees with at most two decimals (e.g. 1389.50)", s)
	if whole == "" || len(frac) > 2 || (dot && frac == "") || strings.ContainsAny(clean, "+-") {
		return 0, bad
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1e12 {
		return 0, bad
	}
	var f int64
	if frac != "" {
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return 0, bad
		}
		if len(frac) == 1 {
			f *= 10
		}
	}
	return domain.Paise(w*100 + f), nil
}

// parseOwners reads "name:share:phone;name:share:phone" and the
// Malayalam names in the same order.
func parseOwners(s, ml string) ([]Owner, error) {
	parts := strings.Split(s, ";")
	var mls []string
	if ml != "" {
		mls = strings.Split(ml, ";")
		if len(mls) != len(parts) {
			return nil, fmt.Errorf("owners names %d owners but owners_ml %d: give the Malayalam names in the same order, separated by ';'", len(parts), len(mls))
		}
	}
	var out []Owner
	for i, part := range parts {
		f := strings.Split(part, ":")
		if len(f) > 3 {
			return nil, fmt.Errorf("%q: write each owner as name:share:phone", strings.TrimSpace(part))
		}
		for len(f) < 3 {
			f = append(f, "")
		}
		o := Owner{Name: domain.T(strings.TrimSpace(f[0]), ""), Phone: strings.TrimSpace(f[2])}
		if mls != nil {
			o.Name.Ml = strings.TrimSpace(mls[i])
		}
		if o.Name.En == "" {
			return nil, fmt.Errorf("owner %d has no name", i+1)
		}
		switch share := strings.TrimSuffix(strings.TrimSpace(f[1]), "%"); {
		case share == "" && len(parts) == 1:
			o.Share = 100
		case share == "":
			return nil, fmt.Errorf("give %s's share in percent: there are %d owners", o.Name.En, len(parts))
		default:
			n, err := strconv.Atoi(share)
			if err != nil || n <= 0 || n > 100 {
				return nil, fmt.Errorf("%s's share %q is not a percentage from 1 to 100", o.Name.En, f[1])
			}
			o.Share = n
		}
		if o.Phone != "" && !mobile(o.Phone) {
			return nil, fmt.Errorf("%s's phone %q is not a 10-digit mobile number", o.Name.En, o.Phone)
		}
		out = append(out, o)
	}
	return out, nil
}

// mobile reports whether s is an Indian mobile number: ten digits from 6
// to 9 first, perhaps after +91 or 0, with spaces or dashes.
func mobile(s string) bool {
	var d []byte
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d = append(d, byte(r))
		case r == ' ' || r == '-' || r == '+':
		default:
			return false
		}
	}
	switch {
	case len(d) == 12 && string(d[:2]) == "91":
		d = d[2:]
	case len(d) == 11 && d[0] == '0':
		d = d[1:]
	}
	return len(d) == 10 && d[0] >= '6'
}

// parseFloors reads "use:area[:unauthorised];…", the ground floor first.
func parseFloors(s string) ([]Floor, error) {
	var out []Floor
	for i, part := range strings.Split(s, ";") {
		f := strings.Split(strings.TrimSpace(part), ":")
		if len(f) < 2 || len(f) > 3 || (len(f) == 3 && strings.ToLower(strings.TrimSpace(f[2])) != "unauthorised") {
			return nil, fmt.Errorf("floor %d %q: write each floor as use:area, or use:area:unauthorised, separated by ';' (e.g. residential:85.5;commercial:40)", i+1, strings.TrimSpace(part))
		}
		a, err := ParseArea(f[1])
		if err != nil {
			return nil, fmt.Errorf("floor %d: %v", i+1, err)
		}
		out = append(out, Floor{Level: i, Use: strings.ToLower(strings.TrimSpace(f[0])), Area: a, Unauthorised: len(f) == 3})
	}
	return out, nil
}

// sameBuilding reports whether the register's building is the row's: the
// same first owner, letters compared without case, spaces or dots.
func sameBuilding(reg, row Building) bool {
	return len(reg.Owners) > 0 && len(row.Owners) > 0 && ownerNamed(reg, row.Owners[0].Name.En, "")
}

// write imports a batch of checked rows in one Store.Write: each building
// whose number is free is registered with its half-year's demand and its
// arrears demand; one already there for the same owner is counted as
// present; one there for another owner is refused.
func (im *importer) write(rows []importRow, rep *ImportReport) error {
	type outcome struct {
		present  []int
		refused  []RowProblem
		imported []int
	}
	var out outcome
	_, err := im.p.Store.Write(func(tx *store.Tx) error {
		out = outcome{}
		var bs []Building
		var firsts []Period
		var arrears []*finance.Demand
		var arrearsOf []string
		for i := range rows {
			r := &rows[i]
			if tx.Exists(entityBuilding, r.b.ID) {
				reg, err := getBuilding(tx, r.b.ID)
				if err != nil {
					return err
				}
				if sameBuilding(reg, r.b) {
					out.present = append(out.present, i)
				} else {
					out.refused = append(out.refused, RowProblem{Line: r.line, Number: r.b.Number, Fields: []FieldIssue{{"building_number",
						fmt.Sprintf("building %s is in the register already, owned by %s: a second building needs a number of its own (e.g. a sub-number %sA)", r.b.Number, reg.OwnerNames("en"), r.b.Number)}}})
				}
				continue
			}
			b := r.b
			facts := map[string]any{"source": "legacy register", "line": r.line, "legacy_annual_tax_paise": r.tax, "legacy_arrears_paise": r.arrears}
			if err := im.p.register(tx, &b, im.by, facts); err != nil {
				return fmt.Errorf("building %s (line %d): %w", b.Number, r.line, err)
			}
			bs, firsts = append(bs, b), append(firsts, im.cur)
			out.imported = append(out.imported, i)
			if r.arrears > 0 && im.p.Finance != nil {
				arrears, arrearsOf = append(arrears, im.arrearsDemand(b, r.arrears, r.interest)), append(arrearsOf, b.ID)
			}
		}
		if len(bs) == 0 {
			return errNothing
		}
		if im.p.Finance == nil {
			return nil
		}
		if _, err := im.p.raiseEach(tx, bs, firsts, im.cur, im.by); err != nil {
			return err
		}
		if len(arrears) == 0 {
			return nil
		}
		if _, err := im.p.Finance.RaiseAll(tx, arrears, domain.T(fmt.Sprintf("Property tax arrears brought from the register kept before ksmart: %d buildings", len(arrears)),
			fmt.Sprintf("മുൻ രജിസ്റ്ററിൽ നിന്നുള്ള വസ്തു നികുതി കുടിശ്ശിക: %d കെട്ടിടങ്ങൾ", len(arrears))), im.by); err != nil {
			return err
		}
		for i, d := range arrears {
			if err := tx.PutRaw(entityDemand, arrearsOf[i]+"/"+ArrearsKey, []byte(`"`+d.ID+`"`)); err != nil {
				return err
			}
			if err := tx.PutRaw(entityOpen, d.ID, []byte(`"`+arrearsOf[i]+`"`)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, errNothing) {
		return err
	}
	for _, i := range out.present {
		rep.AlreadyPresent++
		t := im.ward(rows[i].ward)
		t.ids = append(t.ids, rows[i].b.ID)
	}
	for _, i := range out.imported {
		rep.Imported++
		t := im.ward(rows[i].ward)
		t.ids = append(t.ids, rows[i].b.ID)
	}
	for _, p := range out.refused {
		rep.Bad++
		if len(rep.Problems) < maxImportProblems {
			rep.Problems = append(rep.Problems, p)
		}
		im.ward(mustWard(p.Number)).Refused++
	}
	if len(out.refused) > 0 {
		slices.SortStableFunc(rep.Problems, func(a, b RowProblem) int { return a.Line - b.Line })
	}
	return nil
}

func mustWard(number string) int {
	n, _ := ParseNumber(number)
	return n.Ward
}

// arrearsDemand is the demand for what the old system says a building
// owes, due on the day of the import: penal interest runs on it (less the
// interest in it) from the day after, a month or part at a time, as on
// any overdue instalment.
func (im *importer) arrearsDemand(b Building, arrears, interest domain.Paise) *finance.Demand {
	h := im.p.Rules.Local.Heads
	var parts []finance.Part
	if tax := arrears - interest; tax > 0 {
		parts = append(parts, finance.Part{Head: h.Tax, Amount: tax, Key: ArrearsKey, Name: domain.T("Property tax arrears (before ksmart)", "വസ്തു നികുതി കുടിശ്ശിക (ksmart-ന് മുമ്പുള്ളത്)")})
	}
	if interest > 0 {
		parts = append(parts, finance.Part{Head: h.Interest, Amount: interest, Key: legacyInterestKey, Name: domain.T("Penal interest on the arrears (before ksmart)", "കുടിശ്ശികയുടെ പിഴപ്പലിശ (ksmart-ന് മുമ്പുള്ളത്)")})
	}
	payer := finance.Payer{Name: domain.T(b.OwnerNames("en"), b.OwnerNames("ml"))}
	for _, o := range b.Owners {
		if payer.Phone == "" {
			payer.Phone = o.Phone
		}
	}
	day := im.now.In(domain.IST).Format("02-01-2006")
	return &finance.Demand{Payer: payer, Head: h.Tax, Amount: arrears, Parts: parts, Raised: im.now, Due: dateOnly(im.now), Pay: "before_issue",
		Ref:  finance.Ref{Kind: RefBuilding, ID: b.ID, Number: b.Number, Title: domain.T("Property tax arrears before "+im.cur.String(), im.cur.String()+"-ന് മുമ്പുള്ള വസ്തു നികുതി കുടിശ്ശിക")},
		Note: domain.T("Arrears of property tax as the register kept before ksmart had them on "+day, day+"-ന് മുൻ രജിസ്റ്ററിൽ ഉണ്ടായിരുന്ന വസ്തു നികുതി കുടിശ്ശിക")}
}

// parity reads the register back for the file's buildings (those imported
// or already present) and sets it beside the file, ward by ward.
func (im *importer) parity(rep *ImportReport) error {
	year := im.cur.Year
	par := Parity{Year: im.cur.FinancialYear(), Total: WardParity{}}
	wards := make([]int, 0, len(im.wards))
	for w := range im.wards {
		wards = append(wards, w)
	}
	slices.Sort(wards)
	for _, w := range wards {
		t := im.wards[w]
		for start := 0; start < len(t.ids); start += 2000 {
			ids := t.ids[start:min(start+2000, len(t.ids))]
			err := im.p.Store.View(func(tx *store.Tx) error {
				for _, id := range ids {
					b, err := getBuilding(tx, id)
					if errors.Is(err, store.ErrNotFound) {
						continue // lost: the count shows it
					}
					if err != nil {
						return err
					}
					t.Registered++
					a, err := im.p.Rules.Assess(b, year)
					if err != nil {
						return fmt.Errorf("building %s: %w", b.Number, err)
					}
					t.Tax += a.Tax
					var did string
					raw, err := tx.GetRaw(entityDemand, id+"/"+ArrearsKey)
					if errors.Is(err, store.ErrNotFound) || im.p.Finance == nil {
						continue
					}
					if err != nil {
						return err
					}
					if err := json.Unmarshal(raw, &did); err != nil {
						return err
					}
					d, err := im.p.Finance.DemandIn(tx, did)
					if err != nil {
						return err
					}
					for _, part := range d.Parts {
						if part.Key == ArrearsKey || part.Key == legacyInterestKey {
							t.Arrears += part.Amount
						}
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		line := t.WardParity
		line.TaxDifferencePercent = percentOff(line.Tax, line.FileTax)
		line.Reconciled = line.Refused == 0 && line.Registered == line.Buildings && line.Arrears == line.FileArrears && withinTolerance(line.Tax, line.FileTax)
		par.Wards = append(par.Wards, line)
		tot := &par.Total
		tot.Rows += line.Rows
		tot.Buildings += line.Buildings
		tot.FileTax += line.FileTax
		tot.FileArrears += line.FileArrears
		tot.Registered += line.Registered
		tot.Tax += line.Tax
		tot.Arrears += line.Arrears
		tot.Refused += line.Refused
		par.Differences = append(par.Differences, differences(line)...)
	}
	par.Total.TaxDifferencePercent = percentOff(par.Total.Tax, par.Total.FileTax)
	par.Total.Reconciled = par.Total.Refused == 0 && par.Total.Registered == par.Total.Buildings && par.Total.Arrears == par.Total.FileArrears && withinTolerance(par.Total.Tax, par.Total.FileTax)
	par.Reconciled = len(par.Differences) == 0 && par.Total.Reconciled
	if !par.Total.Reconciled && len(par.Differences) == 0 {
		par.Differences = append(par.Differences, differences(par.Total)...)
	}
	rep.Parity = par
	return nil
}

// withinTolerance reports whether ksmart's tax is within
// TaxTolerancePercent of the old system's (exact integers: no rounding).
func withinTolerance(tax, file domain.Paise) bool {
	diff := tax - file
	if diff < 0 {
		diff = -diff
	}
	return int64(diff)*100 <= int64(file)*TaxTolerancePercent
}

func percentOff(tax, file domain.Paise) float64 {
	if file == 0 {
		if tax == 0 {
			return 0
		}
		return 100
	}
	return float64(tax-file) * 100 / float64(file)
}

// differences names, one line each, what of a ward's line does not
// reconcile.
func differences(l WardParity) []string {
	name := fmt.Sprintf("ward %d", l.Ward)
	if l.Ward == 0 {
		name = "rows whose ward cannot be read"
	}
	var out []string
	if l.Refused > 0 {
		out = append(out, fmt.Sprintf("%s: %d of %d %s refused (listed above by line)", name, l.Refused, l.Rows, plural(l.Rows, "row", "rows")))
	}
	if l.Registered != l.Buildings {
		out = append(out, fmt.Sprintf("%s: %d %s in the file, %d of them in the register", name, l.Buildings, plural(l.Buildings, "building", "buildings"), l.Registered))
	}
	if !withinTolerance(l.Tax, l.FileTax) {
		out = append(out, fmt.Sprintf("%s: annual tax %s in the file, %s as ksmart reckons it (%+.1f%%, more than %d%%)", name, l.FileTax, l.Tax, percentOff(l.Tax, l.FileTax), TaxTolerancePercent))
	}
	if l.Arrears != l.FileArrears {
		out = append(out, fmt.Sprintf("%s: arrears %s in the file, %s demanded", name, l.FileArrears, l.Arrears))
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
