package civil

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
	"unicode"
	"unicode/utf8"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/store"
)

// Legacy import: the registers a local body kept before ksmart (typed into
// spreadsheets from the bound registers, or exported from older software)
// come in as CSV files, one per register, and become entries with Source
// "legacy" under the numbers they always had.
//
// Every row is checked before anything is written, as a registration form
// would be; a bad row is reported with its line and changes nothing, and
// the good rows around it are imported. Rows are written in batches of
// importBatchRows per Store.Write, while the next batch is read and checked,
// and every imported entry gets an event of its own, <kind>.imported,
// carrying the entry as <kind>.registered does: replication, audit and the
// search index see an imported entry exactly as they see a registered one.
//
// One civil.imported event per batch, carrying the batch's entries, was
// measured beside it (1M births, BenchmarkImport1M, this 2-core machine):
// per entry 55 s and a 4,053 MiB store file, per batch 53 s and 2,697 MiB
// (runs of the same code vary by a quarter with the disk). The time is the
// same; the size differs because the store's log bucket splits its pages
// half full, so a log of small events takes twice its bytes, while a
// batch's event lies packed in overflow pages. With the log bucket filled
// completely (FillPercent 1.0: its keys only ever grow), per entry took
// 40 s and 2,984 MiB, per batch 49 s and 2,697 MiB. So per entry it is: no
// slower, its size gap is the store's to close, and every reader of the
// log keeps one shape of entry event instead of learning a second.
//
// An import is idempotent by register number: a number already in the
// register with the same event date and English name is "already present"
// and skipped, so a file can be run again after its bad rows are fixed.

// ImportRegisters names the registers Import takes, as the command line
// names them.
var ImportRegisters = []string{"births", "deaths", "marriages"}

// importBatchRows is how many rows one Store.Write imports. Larger batches
// commit fewer times (each commit rewrites the B+tree pages it touched and
// syncs twice); smaller ones hold the single committer for less time, which
// matters when the appliance is serving while it imports. Measured on 1M
// births: 1,000 rows 52 s, 2,000 rows 42 s, 5,000 rows 40 s.
const importBatchRows = 2000

// maxImportProblems is how many bad rows an ImportReport lists; all are
// counted.
const maxImportProblems = 1000

// ImportProgress is how far an import has got.
type ImportProgress struct {
	Read           int   `json:"read"` // data rows read from the file
	Imported       int   `json:"imported"`
	AlreadyPresent int   `json:"already_present"`
	Bad            int   `json:"bad"`
	Bytes          int64 `json:"bytes"` // bytes of the file read
}

// ImportReport is the outcome of an import. Read = Imported +
// AlreadyPresent + Bad.
type ImportReport struct {
	Register       string `json:"register"` // births, deaths or marriages
	Read           int    `json:"read"`
	Imported       int    `json:"imported"`
	AlreadyPresent int    `json:"already_present"`
	Bad            int    `json:"bad"`
	// Problems are the first maxImportProblems bad rows, in file order.
	Problems []RowProblem `json:"problems,omitempty"`
}

// RowProblem says why a row of the file was not imported.
type RowProblem struct {
	Line   int    `json:"line"` // the CSV line the row starts on; the header is line 1
	Reason string `json:"reason"`
}

// Column types of an import file.
const (
	colNumber  = iota // a register number
	colRegDate        // the date of registration
	colDate           // the event's date, or a date of birth
	colNameEn         // a name in English letters
	colNameMl         // a name in Malayalam script
	colSex
	colText
	colAddress
	colAge
	colWard
)

// What a file must have of a column.
const (
	colOptional = iota // may be left out of the file, or blank
	colInHeader        // must be in the header; its value may be blank
	colRequired        // must be in the header and given in every row
)

type importColumn struct {
	name string
	typ  int
	need int
}

// importRegister is what Import knows of one register's files.
type importRegister struct {
	name  string   // "births"
	kinds []string // register kinds its numbers may be of
	// dateField holds the event's date; nameFields the names (without _en)
	// that, with the date, say whether an entry is the one already present.
	dateField  string
	nameFields []string
	columns    []importColumn
}

func nameColumns(field string, need int) []importColumn {
	return []importColumn{{field + "_en", colNameEn, need}, {field + "_ml", colNameMl, colOptional}}
}

func columns(groups ...[]importColumn) []importColumn { return slices.Concat(groups...) }

var importRegisters = map[string]*importRegister{
	"births": {name: "births", kinds: []string{KindBirth, KindStillBirth}, dateField: "date_of_birth", nameFields: []string{"child_name"},
		columns: columns(
			[]importColumn{{"register_number", colNumber, colRequired}, {"registration_date", colRegDate, colRequired}},
			nameColumns("child_name", colInHeader),
			[]importColumn{{"sex", colSex, colRequired}, {"date_of_birth", colDate, colRequired}, {"place_of_birth", colText, colOptional}},
			nameColumns("mother_name", colRequired), nameColumns("father_name", colOptional),
			[]importColumn{{"permanent_address", colAddress, colOptional}, {"ward", colWard, colOptional}})},
	"deaths": {name: "deaths", kinds: []string{KindDeath}, dateField: "date_of_death", nameFields: []string{"deceased_name"},
		columns: columns(
			[]importColumn{{"register_number", colNumber, colRequired}, {"registration_date", colRegDate, colRequired}},
			nameColumns("deceased_name", colRequired),
			[]importColumn{{"sex", colSex, colRequired}, {"age_years", colAge, colOptional}, {"date_of_death", colDate, colRequired}, {"place_of_death", colText, colOptional}},
			nameColumns("mother_name", colOptional), nameColumns("father_name", colOptional), nameColumns("spouse_name", colOptional),
			[]importColumn{{"permanent_address", colAddress, colOptional}, {"ward", colWard, colOptional}})},
	"marriages": {name: "marriages", kinds: []string{KindMarriage}, dateField: "date_of_marriage", nameFields: []string{"groom_name", "bride_name"},
		columns: columns(
			[]importColumn{{"register_number", colNumber, colRequired}, {"registration_date", colRegDate, colRequired}},
			nameColumns("groom_name", colRequired),
			[]importColumn{{"groom_dob", colDate, colOptional}, {"groom_address", colAddress, colOptional}},
			nameColumns("bride_name", colRequired),
			[]importColumn{{"bride_dob", colDate, colOptional}, {"bride_address", colAddress, colOptional},
				{"date_of_marriage", colDate, colRequired}, {"place_of_marriage", colText, colOptional}, {"ward", colWard, colOptional}})},
}

// ImportColumns lists the columns of a register's import file, in the
// order the help shows them: those the file must have, and those it may.
func ImportColumns(register string) (required, optional []string) {
	reg, ok := importRegisters[register]
	if !ok {
		return nil, nil
	}
	for _, c := range reg.columns {
		if c.need == colOptional {
			optional = append(optional, c.name)
		} else {
			required = append(required, c.name)
		}
	}
	return required, optional
}

func unknownRegister(register string) error {
	return domain.Errorf(domain.EINVALID, "there is no register %q to import; import births, deaths or marriages", register)
}

// Import reads a CSV file of a register kept before ksmart — register is
// "births" (which may hold still births, numbered SB-…), "deaths" or
// "marriages" — and adds its rows to the register as entries with Source
// "legacy", numbered as the file numbers them. The file is UTF-8 (a byte
// order mark is allowed) with a header row naming the columns; see
// ImportColumns.
//
// A file whose header has an unknown column, or lacks a required one, is
// refused whole (EINVALID) before anything is written. Otherwise each good
// row is imported, each row already in the register is counted as already
// present, and each bad row is reported with its line and changes nothing.
// progress, when not nil, is called after every batch. Only the registrar
// or an administrator may import (EFORBIDDEN). The entries name by as
// their registrar of record, so by must be the registrar; an
// administrator imports with ImportFor, naming the registrar.
//
// The batches written before a failure of the store or of r stay written;
// the report then counts them, and running the import again skips them.
func (c *Civil) Import(register string, r io.Reader, by domain.Actor, progress func(ImportProgress)) (ImportReport, error) {
	return c.ImportFor(register, r, by, Officer{}, progress)
}

// ImportFor is Import by by, with registrar as the entries' registrar of
// record: the officer answerable for them, whom their certificates name.
// A zero registrar is by, when by is the registrar; otherwise the import
// is refused (EINVALID) before anything is read.
func (c *Civil) ImportFor(register string, r io.Reader, by domain.Actor, registrar Officer, progress func(ImportProgress)) (ImportReport, error) {
	reg, ok := importRegisters[register]
	if !ok {
		return ImportReport{}, unknownRegister(register)
	}
	if !by.HasAny(domain.RoleRegistrar, domain.RoleAdmin) {
		return ImportReport{}, domain.Bilingual(domain.EFORBIDDEN, domain.T(
			"Only the registrar or an administrator may import a register.",
			"രജിസ്റ്റർ ഇറക്കുമതി ചെയ്യാൻ രജിസ്ട്രാർക്കോ അഡ്മിനിസ്ട്രേറ്റർക്കോ മാത്രമേ കഴിയൂ."))
	}
	if registrar.ID == "" && by.Has(domain.RoleRegistrar) {
		registrar = Officer{ID: by.ID, Name: by.Name}
	}
	if registrar.ID == "" || strings.TrimSpace(registrar.Name) == "" {
		return ImportReport{}, NoRegistrarOfRecord()
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	counted := &countingReader{r: r}
	br := bufio.NewReaderSize(counted, 256<<10)
	if bom, _ := br.Peek(3); string(bom) == "\uFEFF" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	p := &rowParser{reg: reg, lb: c.LocalBody, today: now().In(domain.IST).Format(time.DateOnly),
		registrar: registrar, seen: map[uint64]int{}}
	if err := p.header(cr); err != nil {
		return ImportReport{}, err
	}

	chunks := make(chan importChunk, 2)
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		p.readChunks(cr, counted, chunks, stop)
	}()
	rep := ImportReport{Register: reg.name}
	var err error
	for ch := range chunks {
		if err = c.importChunk(reg, ch, by, &rep); err != nil {
			break
		}
		if progress != nil {
			progress(ImportProgress{Read: rep.Read, Imported: rep.Imported, AlreadyPresent: rep.AlreadyPresent, Bad: rep.Bad, Bytes: ch.bytes})
		}
	}
	close(stop)
	<-finished
	return rep, err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64 // read only by the goroutine that reads
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// importRow is a checked row, encoded and ready to write.
type importRow struct {
	line      int
	kind      string
	year      int
	seq       uint64
	id        string
	number    string
	eventDate string
	names     []string // the English names of reg.nameFields
	entry     []byte   // the Entry as JSON
}

// importChunk is a stretch of the file: its good rows and its bad ones.
type importChunk struct {
	rows     []importRow
	problems []RowProblem
	read     int   // data rows in the stretch
	bytes    int64 // bytes of the file read by the end of it
	err      error // reading the file failed after the stretch
}

// rowParser checks rows of one file.
type rowParser struct {
	reg       *importRegister
	lb        domain.LocalBody
	today     string // YYYY-MM-DD, IST
	registrar Officer
	cols      []*importColumn // by position in the file
	// seen maps the register numbers of the file's good rows (numberKey)
	// to their lines, to catch a number used twice.
	seen map[uint64]int
}

// header reads and checks the header row.
func (p *rowParser) header(cr *csv.Reader) error {
	rec, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return domain.Errorf(domain.EINVALID, "the file is empty; %s", p.expected())
	}
	if err != nil {
		return domain.Errorf(domain.EINVALID, "the header row cannot be read (%v); %s", csvProblem(err), p.expected())
	}
	byName := map[string]*importColumn{}
	for i := range p.reg.columns {
		byName[p.reg.columns[i].name] = &p.reg.columns[i]
	}
	var unknown, twice []string
	got := map[string]bool{}
	for i, h := range rec {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		col := byName[name]
		switch {
		case name == "":
			unknown = append(unknown, fmt.Sprintf("an unnamed column (the %s)", ordinal(i+1)))
		case col == nil:
			unknown = append(unknown, strconv.Quote(h))
		case got[name]:
			twice = append(twice, name)
		}
		got[name] = true
		p.cols = append(p.cols, col)
	}
	var missing []string
	for _, c := range p.reg.columns {
		if c.need != colOptional && !got[c.name] {
			missing = append(missing, c.name)
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
		return domain.Errorf(domain.EINVALID, "the header row does not fit a %s file, so nothing was imported: %s. A%s", p.reg.name, strings.Join(problems, "; "), strings.TrimPrefix(p.expected(), "a"))
	}
	return nil
}

// expected says what header a file of the register needs.
func (p *rowParser) expected() string {
	required, optional := ImportColumns(p.reg.name)
	return fmt.Sprintf("a %s file needs a header row with the columns %s, and may have %s", p.reg.name, strings.Join(required, ","), strings.Join(optional, ","))
}

// readChunks reads the rows after the header and sends them to chunks,
// a stretch of the file at a time, until the file ends or stop is closed.
func (p *rowParser) readChunks(cr *csv.Reader, counted *countingReader, chunks chan<- importChunk, stop <-chan struct{}) {
	defer close(chunks)
	ch := importChunk{}
	send := func() bool {
		ch.bytes = counted.n
		select {
		case chunks <- ch:
			ch = importChunk{}
			return true
		case <-stop:
			return false
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			send()
			return
		}
		var perr *csv.ParseError
		switch {
		case errors.As(err, &perr):
			ch.read++
			ch.problems = append(ch.problems, RowProblem{Line: perr.StartLine, Reason: "the row cannot be read: " + csvProblem(err)})
		case err != nil:
			ch.err = fmt.Errorf("reading the file after %d bytes: %w", counted.n, err)
			send()
			return
		case blank(rec):
			// A spreadsheet's empty row: not a row of the register.
		default:
			line, _ := cr.FieldPos(0)
			ch.read++
			row, reason := p.row(line, rec)
			if reason != "" {
				ch.problems = append(ch.problems, RowProblem{Line: line, Reason: reason})
			} else {
				ch.rows = append(ch.rows, row)
			}
		}
		if ch.read >= importBatchRows && !send() {
			return
		}
	}
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// csvProblem says in a clerk's words what is wrong with a row's quoting.
func csvProblem(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return `a field has a double quote (") inside it; put the whole field in double quotes and write the quote inside it twice ("")`
	case errors.Is(err, csv.ErrQuote):
		return `a quoted field does not end with a double quote (") before the next comma or line end`
	}
	var perr *csv.ParseError
	if errors.As(err, &perr) {
		return perr.Err.Error()
	}
	return err.Error()
}

// row checks one data row and, when it is good, makes its entry. A bad
// row's reason lists everything wrong with it, so one correction fixes it.
func (p *rowParser) row(line int, rec []string) (importRow, string) {
	if len(rec) != len(p.cols) {
		return importRow{}, fmt.Sprintf("the row has %d fields but the header has %d: check for a missing or extra comma (text with a comma in it must be in double quotes)", len(rec), len(p.cols))
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	values := make(map[string]string, len(rec)+1)
	var kind string
	var seq uint64
	var year, ward int
	var regDate string
	for i, raw := range rec {
		col := p.cols[i]
		v, ok := cleanImported(raw, col.typ == colAddress)
		if !ok {
			bad("%s has characters that are not text (control characters, or bytes that are not UTF-8: save the file as \"CSV UTF-8\")", col.name)
			continue
		}
		if v == "" {
			if col.need == colRequired {
				bad("%s is blank", col.name)
			}
			continue
		}
		switch col.typ {
		case colNumber:
			k, s, y, ok := parseRegisterNumber(v)
			if !ok || !slices.Contains(p.reg.kinds, k) {
				bad("register_number %q is not a number of the register of %s: it must look like %s", v, p.reg.name, p.numberExample())
				continue
			}
			kind, seq, year, v = k, s, y, RegisterNumber(k, y, s)
		case colRegDate, colDate:
			d, ok := parseImportDate(v)
			switch {
			case !ok:
				bad("%s %q is not a date: write it as YYYY-MM-DD or DD-MM-YYYY", col.name, v)
				continue
			case d > p.today:
				bad("%s %s is in the future", col.name, d)
				continue
			}
			v = d
			if col.typ == colRegDate {
				regDate = d
				continue // kept as the entry's Registered, not as a particular
			}
		case colNameEn, colNameMl:
			v = strings.Join(strings.Fields(v), " ")
			base := strings.TrimSuffix(strings.TrimSuffix(col.name, "_en"), "_ml")
			switch {
			case utf8.RuneCountInString(v) > catalogue.DefaultMaxLen(catalogue.FieldName):
				bad("%s is longer than %d characters", col.name, catalogue.DefaultMaxLen(catalogue.FieldName))
				continue
			case col.typ == colNameEn && !englishName(v) && hasMalayalam(v):
				bad("%s %q is in Malayalam script: put it in %s_ml, and the English spelling in %s_en", col.name, v, base, base)
				continue
			case col.typ == colNameEn && !englishName(v):
				bad("%s %q must be in English letters (with spaces, dots, apostrophes or hyphens)", col.name, v)
				continue
			case col.typ == colNameMl && !malayalamName(v):
				bad("%s %q is not in Malayalam script: put the English spelling in %s_en, and the Malayalam one (if any) in %s_ml", col.name, v, base, base)
				continue
			}
		case colSex:
			s, ok := importSex[strings.ToLower(v)]
			if !ok {
				bad("sex %q must be male, female or transgender", v)
				continue
			}
			v = s
		case colAge:
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 130 {
				bad("age_years %q must be a whole number of years from 0 to 130", v)
				continue
			}
			v = strconv.Itoa(n)
		case colWard:
			n, err := strconv.Atoi(v)
			if err != nil || !p.lb.HasWard(n) {
				bad("ward %q is not one of the wards of %s (%s)", v, p.lb.Name.En, p.wardList())
				continue
			}
			ward, v = n, strconv.Itoa(n)
		case colText, colAddress:
			limit := catalogue.DefaultMaxLen(catalogue.FieldText)
			if col.typ == colAddress {
				limit = catalogue.DefaultMaxLen(catalogue.FieldAddress)
			}
			if utf8.RuneCountInString(v) > limit {
				bad("%s is longer than %d characters", col.name, limit)
				continue
			}
		}
		values[col.name] = v
	}
	eventDate := values[p.reg.dateField]
	if regDate != "" && eventDate != "" && regDate < eventDate {
		bad("registration_date %s is before %s %s: an event is registered after it happens", regDate, p.reg.dateField, eventDate)
	}
	if regDate != "" && year != 0 && regDate[:4] != strconv.Itoa(year) {
		bad("registration_date %s is not in %d, the year of register number %s", regDate, year, values["register_number"])
	}
	for _, dob := range []string{"groom_dob", "bride_dob"} {
		if d := values[dob]; d != "" && eventDate != "" && d >= eventDate {
			bad("%s %s is not before date_of_marriage %s", dob, d, eventDate)
		}
	}
	var key uint64
	if kind != "" {
		key = numberKey(kind, year, seq)
		if first, ok := p.seen[key]; ok {
			bad("register number %s is used twice in this file (first on line %d)", values["register_number"], first)
		}
	}
	if len(problems) > 0 {
		return importRow{}, strings.Join(problems, "; ")
	}
	p.seen[key] = line

	switch kind {
	case KindBirth:
		values["still_birth"] = "no"
	case KindStillBirth:
		values["still_birth"] = "yes"
	}
	number := values["register_number"]
	delete(values, "register_number")
	t, _ := time.ParseInLocation(time.DateOnly, regDate, domain.IST)
	e := Entry{ID: entryID(kind, year, seq), Kind: kind, Number: number, Year: year, EventDate: eventDate,
		Registered: t, Registrar: p.registrar, Source: "legacy", Ward: ward, Values: values, Version: 1}
	raw, err := json.Marshal(e)
	if err != nil {
		return importRow{}, "the row cannot be encoded: " + err.Error()
	}
	names := make([]string, len(p.reg.nameFields))
	for i, f := range p.reg.nameFields {
		names[i] = values[f+"_en"]
	}
	return importRow{line: line, kind: kind, year: year, seq: seq, id: e.ID, number: number, eventDate: eventDate, names: names, entry: raw}, ""
}

// numberKey packs a register number into an integer, for the map of the
// numbers a file has used.
func numberKey(kind string, year int, seq uint64) uint64 {
	return uint64(slices.Index(Kinds, kind)+1)<<60 | uint64(year)<<44 | seq&(1<<44-1)
}

func (p *rowParser) numberExample() string {
	switch p.reg.name {
	case "births":
		return "B-12/2026 (or SB-3/2026 for a still birth)"
	case "deaths":
		return "D-7/2025"
	}
	return "M-2/2024"
}

func (p *rowParser) wardList() string {
	if len(p.lb.Wards) == 0 {
		return "it has none recorded"
	}
	nums := make([]int, len(p.lb.Wards))
	for i, w := range p.lb.Wards {
		nums[i] = w.Number
	}
	slices.Sort(nums)
	if nums[len(nums)-1]-nums[0] == len(nums)-1 {
		return fmt.Sprintf("wards %d to %d", nums[0], nums[len(nums)-1])
	}
	s := make([]string, len(nums))
	for i, n := range nums {
		s[i] = strconv.Itoa(n)
	}
	return "wards " + strings.Join(s, ", ")
}

var importSex = map[string]string{"male": "male", "female": "female", "transgender": "transgender", "m": "male", "f": "female", "t": "transgender"}

// parseImportDate reads YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY as YYYY-MM-DD,
// refusing dates that do not exist (31-02-2024) or before 1800.
func parseImportDate(s string) (string, bool) {
	var t time.Time
	var err error
	switch {
	case len(s) == 10 && s[4] == '-' && s[7] == '-':
		t, err = time.Parse(time.DateOnly, s)
	case len(s) == 10 && s[2] == '-' && s[5] == '-':
		t, err = time.Parse("02-01-2006", s)
	case len(s) == 10 && s[2] == '/' && s[5] == '/':
		t, err = time.Parse("02/01/2006", s)
	default:
		return "", false
	}
	if err != nil || t.Year() < 1800 {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

// cleanImported trims a field and reports whether it is text: valid UTF-8
// without control characters (an address may have line breaks) or
// bidirectional overrides.
func cleanImported(s string, multiline bool) (string, bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	s = strings.TrimSpace(s)
	for _, r := range s {
		if r < 0x80 && r >= 0x20 && r != 0x7f {
			continue
		}
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') {
			return "", false
		}
	}
	if multiline && strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	return s, true
}

// englishName reports whether s is a name in Latin letters with spaces,
// dots, apostrophes and hyphens, as the registration forms take it.
func englishName(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'):
			letters++
		case r == ' ' || r == '.' || r == '\'' || r == '-' || r == '’':
		case unicode.Is(unicode.Latin, r) && unicode.IsLetter(r):
			letters++
		default:
			return false
		}
	}
	return letters > 0
}

// malayalamName reports whether s is a name in Malayalam script with
// spaces and dots; zero-width joiners are allowed, as older keyboards spell
// chillu letters with them.
func malayalamName(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case r >= 0x0D00 && r <= 0x0D7F:
			if !unicode.IsDigit(r) {
				letters++
			}
		case r == ' ' || r == '.' || r == '\u200C' || r == '\u200D':
		default:
			return false
		}
	}
	return letters > 0
}

// importChunk writes a stretch of the file's good rows in one Store.Write
// and adds its outcome to rep.
func (c *Civil) importChunk(reg *importRegister, ch importChunk, by domain.Actor, rep *ImportReport) error {
	var imported, present int
	var conflicts []RowProblem
	if len(ch.rows) > 0 {
		_, err := c.Store.Write(func(tx *store.Tx) error {
			imported, present, conflicts = 0, 0, nil
			top := map[string]uint64{}
			for i := range ch.rows {
				r := &ch.rows[i]
				id, err := tx.Lookup(indexNumber, r.number)
				if err == nil {
					old, err := getEntry(tx, id)
					if err != nil {
						return err
					}
					if reason := r.differs(reg, old); reason != "" {
						conflicts = append(conflicts, RowProblem{Line: r.line, Reason: reason})
					} else {
						present++
					}
					continue
				}
				if !errors.Is(err, store.ErrNotFound) {
					return err
				}
				if err := putImported(tx, r, by); err != nil {
					return err
				}
				name := registerSequence(r.kind, r.year)
				top[name] = max(top[name], r.seq)
				imported++
			}
			for name, n := range top {
				if err := tx.UseNumber(name, n); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	rep.Read += ch.read
	rep.Imported += imported
	rep.AlreadyPresent += present
	problems := append(ch.problems, conflicts...)
	rep.Bad += len(problems)
	if room := maxImportProblems - len(rep.Problems); room > 0 && len(problems) > 0 {
		slices.SortFunc(problems, func(a, b RowProblem) int { return a.Line - b.Line })
		rep.Problems = append(rep.Problems, problems[:min(room, len(problems))]...)
	}
	if ch.err != nil {
		return ch.err
	}
	return nil
}

// putImported writes an imported entry, its indexes and its event, as
// putEntry and register do for a registered one, with the entry encoded
// before the write.
func putImported(tx *store.Tx, r *importRow, by domain.Actor) error {
	if err := tx.ClaimKey(indexNumber, r.number, r.id); err != nil {
		return err
	}
	if err := tx.PutRaw(entityByDate, byDateKey(r.kind, r.eventDate, r.id), []byte(r.number)); err != nil {
		return err
	}
	if err := tx.PutRaw(entityEntry, r.id, r.entry); err != nil {
		return err
	}
	return tx.EmitRaw(by.ID, importedEvents[r.kind], entityEntry, r.id, r.entry)
}

// differs says why an entry already under the row's number is not the
// row's, or "" when it is: the same event date and English names.
func (r *importRow) differs(reg *importRegister, old Entry) string {
	same := old.Kind == r.kind && old.EventDate == r.eventDate
	for i, f := range reg.nameFields {
		same = same && normName(old.Values[f+"_en"]) == normName(r.names[i])
	}
	if same {
		return ""
	}
	who := old.Person().En
	if strings.TrimSpace(strings.Trim(who, "& ")) == "" {
		who = "not named"
	}
	return fmt.Sprintf("register number %s is already used by a different entry (%s, %s %s, %s): correct the number or the particulars, or leave the row out",
		r.number, who, strings.ReplaceAll(reg.dateField, "_", " "), old.EventDate, sourceName(old))
}

func sourceName(e Entry) string {
	if e.Source == "legacy" {
		return "imported from the old register"
	}
	if e.File != "" {
		return "registered on application " + e.File
	}
	return "registered"
}

func normName(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// NoRegistrarOfRecord is the refusal of an import that names no registrar
// answerable for its entries.
func NoRegistrarOfRecord() error {
	return domain.Bilingual(domain.EINVALID, domain.T(
		"Name the registrar answerable for the imported entries (ksmart import --registrar LOGIN, a staff account with the registrar role): their certificates print that officer's name.",
		"ഇറക്കുമതി ചെയ്യുന്ന രേഖകൾക്ക് ഉത്തരവാദിയായ രജിസ്ട്രാറെ നൽകുക (ksmart import --registrar LOGIN, രജിസ്ട്രാർ ചുമതലയുള്ള ജീവനക്കാരന്റെ അക്കൗണ്ട്): സർട്ടിഫിക്കറ്റുകളിൽ ആ ഉദ്യോഗസ്ഥന്റെ പേരാണ് അച്ചടിക്കുക."))
}
