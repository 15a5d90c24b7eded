package civil

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/seal"
	"ksmart/search"
	"ksmart/store"
)

// Civil is the civil registration module of one local body. Create it with
// its fields set.
type Civil struct {
	Store     *store.Store
	Catalogue *catalogue.Catalogue
	LocalBody domain.LocalBody
	Seal      *seal.Key
	Documents *documents.Renderer
	// PublicURL is the address certificates' QR codes point to
	// (…/verify/<number>); it is read at each issue, so it can be set after
	// the module is made.
	PublicURL func() string
	// KYCVerified reports whether a citizen's application to svc with these
	// values is covered by a verified video KYC (kyc.Verified), which
	// registration from abroad needs.
	KYCVerified func(userID string, svc catalogue.Service, values map[string]string) bool
	Now         func() time.Time
	// Search is the index the kiosk finds entries with; set by the
	// appliance after Open.
	Search *search.Index
	// SealKeys, when set, gives seal public keys by fingerprint beside
	// those the store keeps: for a copy of the registers that has no seal
	// of its own and learnt the keys from the log (the state's mirrors).
	SealKeys func(fingerprint string) ed25519.PublicKey
	// Records, when set, is where Verify reads certificates and seal keys
	// instead of Store: a keeper of the body's documents that is not a
	// store of its own (the state's index, which reads them from the
	// change sets the state holds).
	Records store.Viewer
	// CopyFees charges for certificate copies printed at a kiosk; the
	// appliance sets it from the finance module. Without it, or when the
	// catalogue's certificate service has no fee, copies print free.
	CopyFees CopyFees
	// IsStaff and Registrars, set by the appliance from identity, check
	// the officer a kiosk copy names: IsStaff reports whether an id is a
	// staff account (a registrar of record who has since left still is),
	// Registrars lists the body's active registrars. Without them a copy
	// names the entry's registrar of record as it stands.
	IsStaff    func(id string) bool
	Registrars func() ([]Officer, error)
}

// Entry is one entry of a register.
type Entry struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Number string `json:"number"` // B-12/2026
	Year   int    `json:"year"`   // of registration
	// EventDate is the date of the birth, death or marriage (YYYY-MM-DD).
	EventDate  string    `json:"event_date"`
	Registered time.Time `json:"registered"`
	Registrar  Officer   `json:"registrar"`
	// Source is "application" for an entry made by ksmart, "legacy" for one
	// imported from a register kept before.
	Source string `json:"source"`
	File   string `json:"file,omitempty"` // the application number that registered it
	Ward   int    `json:"ward,omitempty"`
	// Values are the particulars, keyed as the registration form's fields
	// (a name field as <name>_en and <name>_ml).
	Values map[string]string `json:"values"`
	// Version rises with every correction or name inclusion.
	Version      int      `json:"version"`
	Changes      []Change `json:"changes,omitempty"`
	Certificates []string `json:"certificates,omitempty"` // numbers, oldest first
}

// Officer is who acted, as recorded.
type Officer struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Change is a correction or an inclusion of a name in an entry.
type Change struct {
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"` // ChangeCorrected or ChangeNameIncluded
	Field    string    `json:"field"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	File     string    `json:"file"`     // the application that asked for it
	Reason   string    `json:"reason"`   // as the applicant gave it
	Officer  Officer   `json:"officer"`  // who approved it
	Evidence []string  `json:"evidence"` // blobs of the documents it rests on
	Version  int       `json:"version"`  // the entry's version after it
}

// Change kinds.
const (
	ChangeCorrected    = "corrected"
	ChangeNameIncluded = "name_included"
)

// Name returns a name particular as a bilingual text.
func (e Entry) Name(field string) domain.Text {
	return domain.Text{En: e.Values[field+"_en"], Ml: e.Values[field+"_ml"]}
}

// Person is the name the entry is known by: the child, the deceased, or
// "groom and bride".
func (e Entry) Person() domain.Text {
	switch e.Kind {
	case KindBirth, KindStillBirth:
		return e.Name("child_name")
	case KindDeath:
		return e.Name("deceased_name")
	case KindMarriage:
		g, b := e.Name("groom_name"), e.Name("bride_name")
		return domain.Text{En: g.En + " & " + b.En, Ml: strings.TrimSpace(g.Ml + " & " + b.Ml)}
	}
	return domain.Text{}
}

// KindName names a register kind for people.
func KindName(kind string) domain.Text {
	switch kind {
	case KindBirth:
		return domain.T("Births", "ജനനം")
	case KindStillBirth:
		return domain.T("Still births", "ചാപിള്ള ജനനം")
	case KindDeath:
		return domain.T("Deaths", "മരണം")
	case KindMarriage:
		return domain.T("Marriages", "വിവാഹം")
	}
	return domain.T(kind, kind)
}

func notRegistered(number string) error {
	return domain.Bilingual(domain.ENOTFOUND, domain.T(
		fmt.Sprintf("Nothing is registered under %s in this local body. Check the number on the old certificate (it looks like B-12/2026).", number),
		fmt.Sprintf("ഈ തദ്ദേശ സ്ഥാപനത്തിൽ %s എന്ന നമ്പറിൽ രജിസ്ട്രേഷനില്ല. പഴയ സർട്ടിഫിക്കറ്റിലെ നമ്പർ പരിശോധിക്കുക (ഉദാ. B-12/2026).", number)))
}

func getEntry(tx *store.Tx, id string) (Entry, error) {
	var e Entry
	err := tx.Get(entityEntry, id, &e)
	return e, err
}

func entryByNumber(tx *store.Tx, number string) (Entry, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	id, err := tx.Lookup(indexNumber, number)
	if errors.Is(err, store.ErrNotFound) {
		return Entry{}, notRegistered(number)
	}
	if err != nil {
		return Entry{}, err
	}
	return getEntry(tx, id)
}

// Entry returns the register entry with this number (B-12/2026). Reading a
// register is office work; the caller checks the reader's role, and the
// read is recorded.
func (c *Civil) Entry(by domain.Actor, number string) (Entry, error) {
	if err := canReadRegisters(by); err != nil {
		return Entry{}, err
	}
	var e Entry
	err := c.Store.View(func(tx *store.Tx) (err error) { e, err = entryByNumber(tx, number); return err })
	if err != nil {
		return Entry{}, err
	}
	_, err = c.Store.Write(func(tx *store.Tx) error {
		return tx.Emit(by.ID, EventEntryViewed, entityEntry, e.ID, map[string]string{"number": e.Number})
	})
	return e, err
}

// RegisterRoles are the office roles that may read the registers.
var RegisterRoles = []domain.Role{domain.RoleRegistrar, domain.RoleSectionClerk, domain.RoleHeadClerk, domain.RoleSecretary, domain.RoleFrontOffice, domain.RoleHealthInspector}

func canReadRegisters(by domain.Actor) error {
	if by.HasAny(RegisterRoles...) {
		return nil
	}
	return domain.Bilingual(domain.EFORBIDDEN, domain.T("Only the registrar's office may read the registers.", "രജിസ്റ്ററുകൾ രജിസ്ട്രാറുടെ ഓഫീസിന് മാത്രമേ കാണാനാകൂ."))
}

// ListOptions selects entries of one register.
type ListOptions struct {
	Kind   string
	Year   int    // 0: every year
	Number string // a register number or its beginning ("B-12", "B-12/2026")
	Limit  int
	// After is the id of the last entry of the previous page.
	After string
}

// List returns entries of a register, newest first. Reading a page of a
// register is a read of personal data by staff, so it is recorded.
func (c *Civil) List(by domain.Actor, opt ListOptions) ([]Entry, error) {
	if err := canReadRegisters(by); err != nil {
		return nil, err
	}
	if opt.Limit <= 0 || opt.Limit > 200 {
		opt.Limit = 50
	}
	var out []Entry
	err := c.Store.View(func(tx *store.Tx) error {
		if n := strings.ToUpper(strings.TrimSpace(opt.Number)); n != "" {
			if e, err := entryByNumber(tx, n); err == nil {
				out = append(out, e)
				return nil
			}
			return c.scanByNumberPrefix(tx, n, opt, &out)
		}
		p := opt.Kind + "/"
		if opt.Year > 0 {
			p += fmt.Sprintf("%d/", opt.Year)
		}
		return tx.Scan(entityEntry, store.ScanOptions{Prefix: p, Reverse: true, Limit: opt.Limit, After: opt.After}, func(_ string, raw []byte) error {
			var e Entry
			if err := json.Unmarshal(raw, &e); err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	_, err = c.Store.Write(func(tx *store.Tx) error {
		return tx.Emit(by.ID, EventRegisterViewed, entityEntry, out[0].ID, map[string]any{
			"kind": opt.Kind, "year": opt.Year, "number": opt.Number, "after": opt.After, "entries": len(out)})
	})
	return out, err
}

// scanByNumberPrefix finds entries whose number begins with n, e.g. "B-12"
// finds B-12/2025, B-12/2026 and B-120/2026, through the number index (so
// it reads only the matches, not the register), newest first.
func (c *Civil) scanByNumberPrefix(tx *store.Tx, n string, opt ListOptions, out *[]Entry) error {
	kind := kindOfNumber(n)
	if kind == "" || (opt.Kind != "" && kind != opt.Kind) {
		return nil
	}
	err := tx.ScanKeys(indexNumber, store.ScanOptions{Prefix: n}, func(_, id string) error {
		if len(*out) >= opt.Limit {
			return store.ErrStop
		}
		e, err := getEntry(tx, id)
		if err != nil {
			return err
		}
		if opt.Year == 0 || e.Year == opt.Year {
			*out = append(*out, e)
		}
		return nil
	})
	slices.SortFunc(*out, func(a, b Entry) int { return strings.Compare(b.ID, a.ID) })
	return err
}

// Numbered returns how many numbers a register has given out in a year:
// its last serial number.
func (c *Civil) Numbered(kind string, year int) uint64 {
	var n uint64
	c.Store.View(func(tx *store.Tx) error { n = tx.CurrentNumber(registerSequence(kind, year)); return nil })
	return n
}

// putEntry writes an entry and its indexes; new says whether it is a new
// entry (whose number is claimed) or a new version of one.
func putEntry(tx *store.Tx, e *Entry, isNew bool) error {
	if isNew {
		if err := tx.ClaimKey(indexNumber, e.Number, e.ID); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return domain.Errorf(domain.ECONFLICT, "register number %s is already taken", e.Number)
			}
			return err
		}
		if err := tx.PutRaw(entityByDate, byDateKey(e.Kind, e.EventDate, e.ID), []byte(e.Number)); err != nil {
			return err
		}
	}
	return tx.Put(entityEntry, e.ID, e)
}

// register makes a new entry from an approved application, numbered next
// in the register of its kind and year.
func register(tx *store.Tx, kind, eventDate string, values map[string]string, ward int, file string, by domain.Actor, now time.Time) (Entry, error) {
	year := now.In(domain.IST).Year()
	seq, err := tx.NextNumber(registerSequence(kind, year))
	if err != nil {
		return Entry{}, err
	}
	e := Entry{ID: entryID(kind, year, seq), Kind: kind, Number: RegisterNumber(kind, year, seq), Year: year, EventDate: eventDate,
		Registered: now, Registrar: Officer{ID: by.ID, Name: by.Name}, Source: "application", File: file, Ward: ward, Values: values, Version: 1}
	if err := putEntry(tx, &e, true); err != nil {
		return Entry{}, err
	}
	return e, tx.Emit(by.ID, registeredEvents[kind], entityEntry, e.ID, e)
}
