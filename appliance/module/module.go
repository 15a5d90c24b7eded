// Package module is the seam every module of the appliance plugs into. A
// module is one package under appliance/ that declares, in one Module
// value, everything the rest of the system needs of it: the catalogue
// services it serves (and may bring), its rules for their files, the
// records it makes searchable and how a hit on one reads, its event types,
// and the figures the state view shows of it. The appliance assembles a
// node from one list of modules (appliance.Modules) and the state view
// reads the same list, so adding a module is one package, one line in that
// list, and its service definitions.
//
// The package holds types and the small helpers that go with them; it
// never holds a module's rule.
package module

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/seal"
	"ksmart/appliance/workflow"
	"ksmart/search"
	"ksmart/store"
)

// Module is what a module declares. Every field but Name and Catalogue may
// be left out when the module has none of it.
type Module struct {
	// Name names the module, e.g. "civil": its package's name.
	Name string
	// Catalogue is the catalogue module its services belong to, one of
	// catalogue.Modules (several modules may serve services of one).
	Catalogue string
	// Services are service definitions the module brings, as one catalogue
	// data file ({"module": …, "services": […]}); nil when its services are
	// defined with the others in appliance/catalogue/services. A
	// --catalogue directory replaces these as it replaces the built-in
	// ones.
	Services []byte
	// Serves decides whether the module serves a service of its catalogue
	// module as defined: nil when it does; an error wrapping ErrNotServed,
	// whose message says why, when it does not (yet), so the service is
	// offered to nobody; any other error when the definition contradicts
	// the module (a fee or issued document it cannot produce), which stops
	// the start. A nil Serves serves nothing.
	Serves func(svc catalogue.Service) error
	// Open makes the module's instance for one node. The instance carries
	// the module's workflow.Rules for the services it serves.
	Open func(h *Host) (workflow.Rules, error)
	// Events are the event types the module writes (its events.go).
	Events []store.EventType
	// Records are the kinds of record it keeps that people search for.
	Records []Records
	// Figures are what the state view counts of it; nil for none.
	Figures *Figures
}

// ErrNotServed says a module does not serve a service, yet. Module.Serves
// returns it as a *NotServedError, which says why.
var ErrNotServed = errors.New("not served")

// NotServedError is a module's reason for not serving a service, in the
// words people are told (after "This service is not yet available: ").
type NotServedError struct{ Reason domain.Text }

func (e *NotServedError) Error() string        { return fmt.Sprintf("%v: %s", ErrNotServed, e.Reason.En) }
func (e *NotServedError) Is(target error) bool { return target == ErrNotServed }

// NotServed returns a *NotServedError with the reason.
func NotServed(reason domain.Text) error { return &NotServedError{Reason: reason} }

// Host is what a node gives a module when it opens it. Its fields are set
// before Open is called and never change after.
type Host struct {
	Store     *store.Store
	Catalogue *catalogue.Catalogue
	LocalBody domain.LocalBody
	Calendar  domain.Calendar
	Now       func() time.Time
	Logger    *slog.Logger
	// Documents draws the node's PDFs; Seal signs what it issues (nil on
	// a node opened to keep its log as it is, which issues nothing).
	Documents *documents.Renderer
	Seal      *seal.Key
	// PublicURL is the address citizens reach the node at, for links and
	// QR codes printed on documents; read it at each use.
	PublicURL func() string
	Identity  *identity.Service
	Workflow  *workflow.Workflow
	// Search is the node's index, open and following the log once the
	// node runs.
	Search *search.Index
	// Dir is the node's data directory, for what a module keeps on this
	// node only, outside the replicated store (video KYC's recordings).
	Dir string
}

// Records are one kind of record a module keeps that people search for: a
// register's entries, files. The office search and the state's search find
// them through the node's one index and show a hit with Hit.
type Records struct {
	// Type is the records' search type (search.Doc.Type), the office
	// search's filter: "register", "file".
	Type string
	// Name names them for people.
	Name domain.Text
	// Source describes them to the index; cat is the node's catalogue.
	Source func(cat *catalogue.Catalogue) search.Source
	// Readable reports whether an office user may find them.
	Readable func(by domain.Actor) bool
	// Hit reads how a hit on the record id looks, from a store that holds
	// the module's documents (a node's, or a state mirror's); ok is false
	// when the record is gone since it was indexed.
	Hit func(tx *store.Tx, id string) (h Hit, ok bool, err error)
}

// Hit is one record found, as a results list shows it.
type Hit struct {
	Type     string      `json:"type"` // Records.Type
	Kind     string      `json:"kind"` // the register kind or the service code
	KindName domain.Text `json:"kind_name"`
	Number   string      `json:"number"`
	// Title is whom the record is about: the person, the applicant.
	Title domain.Text `json:"name"`
	// Date is of the event, or of submission (YYYY-MM-DD).
	Date       string      `json:"date,omitempty"`
	Status     string      `json:"status,omitempty"`
	StatusName domain.Text `json:"status_name,omitzero"`
	Ward       int         `json:"ward,omitempty"`
	// Link is the record's page in the office.
	Link  string  `json:"-"`
	Score float64 `json:"score"`
	// Why, when set, says the record was found through a relation's name,
	// not the person's: "mother: Priya".
	Why domain.Text `json:"why,omitzero"`
}
