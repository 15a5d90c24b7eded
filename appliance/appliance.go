// Package appliance assembles one local body's node: the store, the search
// index, the modules, the outbox and the shipper to the state cluster.
// serve, demo, bench and tests all open it the same way: Open, use, Close.
//
// It holds the local body's identity, which is set once, at first start,
// and kept in the store with the event that set it.
package appliance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"strings"
	"sync"
	"sync/atomic"
	"time"

	"ksmart/appliance/building"
	"ksmart/appliance/catalogue"
	"ksmart/appliance/civil"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/grievance"
	"ksmart/appliance/identity"
	"ksmart/appliance/kyc"
	"ksmart/appliance/licence"
	"ksmart/appliance/messaging"
	"ksmart/appliance/module"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/rts"
	"ksmart/appliance/seal"
	"ksmart/appliance/workflow"
	"ksmart/replication"
	"ksmart/search"
	"ksmart/store"
)

// Config says which data directory to open and, for a first start, which
// local body it serves.
type Config struct {
	Dir string
	// LocalBody is required at first start and ignored after, except that a
	// different code is refused: a data directory serves one local body.
	LocalBody *domain.LocalBody
	Now       func() time.Time
	// TwoStepRoles are the office roles whose holders must sign in with a
	// second step, a code from an authenticator app (TOTP); nil means
	// identity.DefaultTOTPRoles. NoTwoStep turns the requirement off (the
	// demo's printed logins); staff who set it up still use it.
	TwoStepRoles []domain.Role
	NoTwoStep    bool
	Logger       *slog.Logger
	// LockTimeout: how long to wait for another process to let go of the
	// data directory. Default 2s.
	LockTimeout time.Duration
	// RetryAfter is how long derived work (the indexer, a background job
	// that failed or panicked) waits before it tries again, e.g. for disk
	// space to return. Default 10s.
	RetryAfter time.Duration
	// Holidays are the public holidays ("2026-12-25") that, with Sundays and
	// second Saturdays, do not count towards time limits.
	Holidays []string
	// CatalogueDir, when set, holds the service definitions (*.json) to use
	// instead of the embedded ones, so a local body can adjust its services
	// without a new binary. Any problem in them stops the start.
	CatalogueDir string
	// FontRegular and FontBold name the Malayalam OpenType font documents
	// are drawn in; empty means the usual Debian font paths. A named font
	// that cannot be read stops the start; with no font found, documents
	// are printed in English only and a warning says so.
	FontRegular, FontBold string
	// PublicURL is the address citizens reach the appliance at, printed in
	// certificates' QR codes (…/verify/<number>).
	PublicURL string
	// RebuildIndex deletes the search index at open, so that it is built
	// again from the whole log (ksmart reindex).
	RebuildIndex bool
	// Messaging configures the outbox's e-mail, WhatsApp and SMS channels;
	// a channel left out is "not configured" and its messages wait.
	Messaging messaging.Config
	// State, when set, connects the appliance to the state cluster: Run
	// ships the log there (see StateConfig).
	State *StateConfig
	// KeepLog opens the data directory without writing to its log: no seal
	// key is made when there is none (Seal stays nil, and certificates
	// cannot be issued). For tools that must leave the log exactly as they
	// found it, such as ksmart restore --from-state.
	KeepLog bool
	// Modules are the modules the node is assembled from; nil means
	// Modules, the appliance's one list (a test may add one of its own).
	Modules []module.Module
	// Payments configures how money is taken: the online gateway, the UPI
	// address and the cash counters (see PaymentsConfig).
	Payments PaymentsConfig
	// PropertyTaxRules, when set, are the council's property tax rates
	// and settings (rates.json's form) instead of ksmart's defaults.
	PropertyTaxRules []byte
	// GrievanceCategories, when set, are the council's complaint
	// categories and settings (grievance's categories.json form) instead
	// of ksmart's defaults.
	GrievanceCategories []byte
	// KYC are video KYC's settings: call hours, slot length, how long a
	// verification stands and recordings are kept, and ICE (kyc.Settings).
	KYC kyc.Settings
}

// PaymentsConfig is how a local body takes money.
type PaymentsConfig struct {
	// Gateway takes payments online; nil for none (citizens then pay at
	// the counter or by UPI).
	Gateway finance.Gateway
	// UPI is the local body's UPI address for payment QR codes.
	UPI finance.UPI
	// Counters are the cash counters; nil means one, C1.
	Counters []finance.Counter
}

// Appliance is an open local-body node.
type Appliance struct {
	Store     *store.Store
	LocalBody domain.LocalBody
	Calendar  domain.Calendar
	Now       func() time.Time
	Logger    *slog.Logger

	Catalogue *catalogue.Catalogue
	Workflow  *workflow.Workflow
	Identity  *identity.Service
	// Seal signs the certificates the local body issues.
	Seal *seal.Key
	// Documents renders receipts and certificates.
	Documents *documents.Renderer
	// Civil is the civil registration module (nil when the node is
	// assembled without it), for the pages of the registers and the kiosk.
	Civil *civil.Civil
	// PropertyTax is the property tax module (nil when the node is
	// assembled without it).
	PropertyTax *propertytax.PropertyTax
	// Licences is the trade licence module (nil when the node is
	// assembled without it).
	Licences *licence.Licences
	// Building is building permission (nil when the node is assembled
	// without it): scrutiny, permits, occupancy.
	Building *building.Permits
	// KYC is video KYC (nil when the node is assembled without it).
	KYC *kyc.KYC
	// Finance is the money module (nil when the node is assembled without
	// it): demands, receipts, the accounts.
	Finance *finance.Finance
	// RTS is Right to Service: appeals, orders, penalties and the report.
	RTS *rts.RTS
	// Grievance is public grievance redressal (nil when the node is
	// assembled without it): reports, their routing and Open311.
	Grievance *grievance.Grievance
	// Modules are the modules the node is assembled from.
	Modules []module.Module
	// PublicURL is the address certificates' QR codes point to.
	PublicURL string
	// Outbox sends messages by e-mail, WhatsApp and SMS.
	Outbox      *messaging.Outbox
	attachments attachmentCache
	// Search is the full-text index of the registers and files; it follows
	// the log in the background once Run starts.
	Search      *search.Index
	indexerDone chan struct{} // closed when the indexer stops; nil before Run
	closing     chan struct{} // closed when Close begins
	// Shipper sends the log to the state cluster once Run starts; nil when
	// no state is configured.
	Shipper     *replication.Shipper
	shipperDone chan struct{} // closed when the shipper stops; nil before Run
	// StateFiles is the state configuration the shipper was opened with
	// (nil without one): the fork page writes the cure's command with it.
	StateFiles *StateConfig

	// bg counts the background work Run started, which Close awaits;
	// bgRunning names it for the log when it does not end in time.
	bg        sync.WaitGroup
	bgMu      sync.Mutex
	bgRunning map[string]int
	closeOnce sync.Once

	retry       time.Duration // Config.RetryAfter
	indexBroken atomic.Bool   // the index failed and waits to be set aside and rebuilt
	panics      atomic.Uint64 // panics recovered in background work since start
	closeErr    error
}

// The local body's identity is one document, written at first start with
// EventLocalBodyConfigured and replicated with the log; LocalBodyIn reads
// it from any store holding a body's documents.
const (
	entityLocalBody = "local_body"
	localBodyID     = "self"
)

// LocalBodyIn reads the local body's identity from a store holding its
// documents (a node's own, or a state mirror's). It returns
// store.ErrNotFound when the store has none: a data directory not yet
// configured, or a copy of a log shipped before change sets were.
func LocalBodyIn(tx *store.Tx) (domain.LocalBody, error) {
	var lb domain.LocalBody
	err := tx.Get(entityLocalBody, localBodyID, &lb)
	return lb, err
}

// LocalBodyFrom reads the local body's identity from one document of a
// change set (store.EachDocument): ok is false for any other document.
func LocalBodyFrom(entity, id string, doc []byte) (lb domain.LocalBody, ok bool, err error) {
	if entity != entityLocalBody || id != localBodyID || doc == nil {
		return lb, false, nil
	}
	return lb, true, json.Unmarshal(doc, &lb)
}

// Open opens the data directory, verifies the whole log's hash chain, and
// loads (or, on first start, records) the local body's identity. A broken
// chain is refused with a message that says how to recover.
func Open(cfg Config) (*Appliance, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Modules == nil {
		cfg.Modules = Modules
	}
	cat, err := Catalogue(cfg.CatalogueDir, cfg.Modules)
	if err != nil {
		return nil, err
	}
	fonts, err := loadFonts(cfg)
	if err != nil {
		return nil, err
	}
	for _, h := range cfg.Holidays {
		if _, err := time.Parse(time.DateOnly, strings.TrimSpace(h)); err != nil {
			return nil, fmt.Errorf("holiday %q is not a date like 2026-12-25", h)
		}
	}
	code := ""
	if cfg.LocalBody != nil {
		code = cfg.LocalBody.Code
	}
	state, err := readState(cfg.State, code)
	if err != nil {
		return nil, err
	}
	// The council's property tax settings are checked before anything is
	// written (a first start records the local body, and a seal key).
	if cfg.LocalBody != nil && len(cfg.PropertyTaxRules) > 0 {
		if _, err := propertytax.ParseCouncilRules(cfg.PropertyTaxRules, cfg.LocalBody.Kind); err != nil {
			return nil, err
		}
	}
	// Ward boundaries and the council's complaint categories are read
	// before anything is written (a first start records the identity).
	if cfg.LocalBody != nil {
		if err := grievance.CheckWardBoundaries(*cfg.LocalBody); err != nil {
			return nil, err
		}
	}
	var grievanceCategories *grievance.Categories
	if len(cfg.GrievanceCategories) > 0 {
		if grievanceCategories, err = grievance.ParseCategories(cfg.GrievanceCategories); err != nil {
			return nil, err
		}
	}
	opts := store.Options{Now: cfg.Now, LockTimeout: cfg.LockTimeout, Replica: cfg.KeepLog}
	if !cfg.KeepLog {
		opts.LocalEntities = localEntities
	}
	s, err := store.Open(cfg.Dir, opts)
	if err != nil {
		return nil, err
	}
	if damage := s.MetaDamage(); damage != "" {
		cfg.Logger.Warn(damage) // the same sentence 'ksmart check' gives
	}
	a := &Appliance{Store: s, closing: make(chan struct{}), Now: cfg.Now, Logger: cfg.Logger, Documents: documents.NewRenderer(fonts), PublicURL: strings.TrimRight(cfg.PublicURL, "/"),
		Catalogue: cat, Modules: cfg.Modules}
	if a.retry = cfg.RetryAfter; a.retry <= 0 {
		a.retry = 10 * time.Second
	}
	if a.PublicURL == "" {
		a.PublicURL = "http://127.0.0.1:8080"
	}
	if err := a.open(cfg); err != nil {
		s.Close()
		return nil, err
	}
	if len(cfg.PropertyTaxRules) > 0 {
		if _, err := propertytax.ParseCouncilRules(cfg.PropertyTaxRules, a.LocalBody.Kind); err != nil {
			s.Close()
			return nil, err
		}
	}
	if err := a.openSeal(cfg.KeepLog); err != nil {
		s.Close()
		return nil, err
	}
	if err := a.openShipper(state); err != nil {
		s.Close()
		return nil, err
	}
	if err := a.openSearch(cfg); err != nil {
		s.Close()
		return nil, err
	}
	if err := a.openModules(cfg); err != nil {
		s.Close()
		a.Search.Close()
		return nil, err
	}
	if a.Grievance != nil && grievanceCategories != nil {
		a.Grievance.Categories = grievanceCategories
	}
	return a, nil
}

// loadFonts finds the Malayalam font documents are drawn in. A font named
// in the configuration must load; otherwise a missing font only means
// English-only documents, said loudly at start.
func loadFonts(cfg Config) (*documents.Fonts, error) {
	if cfg.FontRegular != "" {
		f, err := documents.LoadFonts(cfg.FontRegular, cfg.FontBold)
		if err != nil {
			return nil, fmt.Errorf("the font given with --font cannot be used: %w", err)
		}
		return f, nil
	}
	f, err := documents.SystemFonts()
	if err != nil {
		cfg.Logger.Warn("NO MALAYALAM FONT: certificates and receipts will be printed in English only. Install one with 'apt-get install fonts-smc-manjari' (or give --font FILE) and restart.", "searched", err.Error())
		return documents.EnglishOnly(), nil
	}
	cfg.Logger.Info("documents font", "font", f.Name())
	return f, nil
}

// openModules builds the shared services (identity, workflow) and then
// each module on the open store and index, and gives the workflow the rules
// of the module that serves each service.
func (a *Appliance) openModules(cfg Config) error {
	a.Calendar = domain.Calendar{Holidays: map[string]bool{}}
	for _, h := range cfg.Holidays {
		a.Calendar.Holidays[strings.TrimSpace(h)] = true
	}
	a.Identity = identity.New(a.Store, a.Now)
	a.Identity.LocalBody = &a.LocalBody
	switch {
	case cfg.NoTwoStep:
	case cfg.TwoStepRoles != nil:
		a.Identity.TOTPRoles = cfg.TwoStepRoles
	default:
		a.Identity.TOTPRoles = identity.DefaultTOTPRoles
	}
	a.Workflow = &workflow.Workflow{Store: a.Store, Catalogue: a.Catalogue, LocalBody: a.LocalBody, Calendar: a.Calendar, Now: a.Now,
		Documents: a.Documents, Rules: map[string]workflow.Rules{},
		Users: func(id string) (domain.Actor, bool) {
			u, err := a.Identity.Get(id)
			if err != nil || u.Disabled || u.Kind != identity.KindStaff {
				return domain.Actor{}, false
			}
			return u.Actor(), true
		}}
	a.RTS = &rts.RTS{Store: a.Store, Workflow: a.Workflow, LocalBody: a.LocalBody, Documents: a.Documents,
		PublicURL: func() string { return a.PublicURL }, Now: a.Now}
	host := &module.Host{Store: a.Store, Catalogue: a.Catalogue, LocalBody: a.LocalBody, Calendar: a.Calendar, Now: a.Now, Logger: a.Logger,
		Documents: a.Documents, Seal: a.Seal, PublicURL: func() string { return a.PublicURL }, Identity: a.Identity, Workflow: a.Workflow, Search: a.Search, Dir: cfg.Dir}
	rules := make([]workflow.Rules, len(a.Modules))
	for i, m := range a.Modules {
		if m.Open == nil {
			continue
		}
		r, err := m.Open(host)
		if err != nil {
			return fmt.Errorf("module %s: %w", m.Name, err)
		}
		rules[i] = r
		switch m := r.(type) {
		case *civil.Civil:
			a.Civil = m
		case *finance.Finance:
			a.Finance = m
		case *propertytax.PropertyTax:
			a.PropertyTax = m
		case *licence.Licences:
			a.Licences = m
		case *building.Permits:
			a.Building = m
		case *grievance.Grievance:
			a.Grievance = m
		case *kyc.KYC:
			a.KYC = m
		}
	}
	if a.Finance != nil {
		if err := a.openFinance(cfg.Payments); err != nil {
			return err
		}
	}
	if a.PropertyTax != nil {
		if err := a.openPropertyTax(cfg.PropertyTaxRules); err != nil {
			return err
		}
	}
	if a.Licences != nil {
		// Licences read premises from property tax and owe their fees
		// through finance, both opened above.
		a.Licences.PropertyTax, a.Licences.Finance = a.PropertyTax, a.Finance
	}
	if a.Building != nil {
		// Permit fees are demands in finance; an occupied building goes
		// to the property tax register.
		a.Building.Finance, a.Building.PropertyTax = a.Finance, a.PropertyTax
	}
	if a.KYC != nil {
		a.KYC.Settings = cfg.KYC
		if err := a.KYC.Open(); err != nil {
			return err
		}
	}
	for code, i := range servedBy(a.Catalogue, a.Modules) {
		if rules[i] != nil {
			a.Workflow.Rules[code] = rules[i]
		}
	}
	a.logOffer()
	a.openOutbox(cfg)
	return nil
}

// logOffer says at start which services are not offered, by module.
func (a *Appliance) logOffer() {
	waiting := map[string][]string{}
	for _, svc := range a.Catalogue.All() {
		if !a.Catalogue.Available(svc.Code) {
			waiting[svc.Module] = append(waiting[svc.Module], svc.Code)
		}
	}
	for _, m := range catalogue.Modules {
		if len(waiting[m]) > 0 {
			a.Logger.Info("services not yet available: no module serves them", "module", m, "services", strings.Join(waiting[m], ","))
		}
	}
	a.Logger.Info("services offered", "offered", a.Catalogue.OfferedCount(), "listed", a.Catalogue.Len())
}

// Run does the appliance's background work until ctx ends: sending queued
// messages, escalating overdue files every few minutes, sweeping expired
// sessions, asking the gateway about pending payments and lapsing unpaid
// kiosk copies.
func (a *Appliance) Run(ctx context.Context) {
	// Everything started here stops when ctx ends or Close begins, and
	// Close waits for it before it closes the store (awaitBackground).
	ctx = a.runContext(ctx)
	a.FollowIndex(ctx)
	a.background("desks", func() {
		// Reads catch the desks up by themselves; following keeps them warm.
		if err := a.Workflow.FollowDesks(ctx); !errors.Is(err, context.Canceled) && !errors.Is(err, store.ErrClosed) {
			a.Logger.Error("following the log for the desks failed; inboxes catch up when read", "error", err)
		}
	})
	if a.Finance != nil {
		a.background("payers", func() {
			// Built from the demands now rather than at the first payments
			// page; after that each read catches up with the log itself.
			if err := a.Finance.WarmPayers(); err != nil && !errors.Is(err, store.ErrClosed) {
				a.Logger.Error("building the citizens' demands failed; payment pages build them when read", "error", err)
			}
		})
	}
	a.startShipper(ctx)
	a.background("outbox", func() { a.runOutbox(ctx) })
	a.background("payment reconciliation", a.runReconciliation)
	if a.Finance != nil {
		a.background("kiosk copy lapses", func() { a.Finance.RunLapses(time.Hour, a.closing) })
	}
	if a.PropertyTax != nil && a.Finance != nil {
		a.background("property tax jobs", func() { a.PropertyTax.RunJobs(time.Hour, a.closing) })
	}
	if a.Licences != nil {
		a.background("licence jobs", func() { a.Licences.RunJobs(time.Hour, a.closing) })
	}
	if a.KYC != nil {
		a.background("kyc recording sweep", func() { a.sweepRecordings(ctx) })
	}
	if a.Grievance != nil {
		a.background("grievance escalation", func() { a.Grievance.RunEscalation(5*time.Minute, a.closing) })
	}
	a.background("session sweep", func() {
		sessions := &identity.SessionStore{Store: a.Store, Now: a.Now}
		t := time.NewTicker(10 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if n, err := sessions.Sweep(); err != nil {
					a.Logger.Error("sweeping expired sessions failed", "error", err)
				} else if n > 0 {
					a.Logger.Info("expired sessions swept", "count", n)
				}
			}
		}
	})
	escalation := make(chan struct{})
	a.background("escalation", func() {
		defer close(escalation)
		a.Workflow.RunEscalation(5*time.Minute, ctx.Done(), func(err error) {
			a.Logger.Error("escalation of overdue files failed", "error", err)
		})
	})
	<-escalation
}

func (a *Appliance) open(cfg Config) error {
	start := time.Now()
	rep, err := a.Store.VerifyChain()
	if err != nil {
		return fmt.Errorf("%w. The records cannot be trusted, so ksmart will not start. To recover: stop ksmart, keep a copy of %s for inspection, and run 'ksmart restore --data %s --from BACKUP --force' with your latest good backup", err, a.Store.Path(), cfg.Dir)
	}
	a.Logger.Info("log verified", "events", rep.Events, "took", time.Since(start).Round(time.Millisecond))

	err = a.Store.View(func(tx *store.Tx) (err error) { a.LocalBody, err = LocalBodyIn(tx); return err })
	switch {
	case err == nil && cfg.LocalBody != nil && cfg.LocalBody.Code != a.LocalBody.Code:
		return fmt.Errorf("data directory %s serves %s (%s), not %s; a data directory serves one local body", cfg.Dir, a.LocalBody.Name.En, a.LocalBody.Code, cfg.LocalBody.Code)
	case err == nil:
		return nil
	case !errors.Is(err, store.ErrNotFound):
		return err
	case cfg.KeepLog:
		return fmt.Errorf("data directory %s has no local body; its log does not begin as a ksmart log does", cfg.Dir)
	case cfg.LocalBody == nil:
		return fmt.Errorf("data directory %s has no local body yet: on first start give its identity with --local-body FILE (see README, \"First start\")", cfg.Dir)
	}
	lb := *cfg.LocalBody
	if err := lb.Validate(); err != nil {
		return err
	}
	_, err = a.Store.Write(func(tx *store.Tx) error {
		if err := tx.Put(entityLocalBody, localBodyID, lb); err != nil {
			return err
		}
		return tx.Emit(domain.System.ID, EventLocalBodyConfigured, entityLocalBody, localBodyID, lb)
	})
	if err != nil {
		return err
	}
	a.LocalBody = lb
	a.Logger.Info("local body configured", "code", lb.Code, "name", lb.Name.En)
	return nil
}

// Close closes the store after pending writes commit, then the search
// index once its indexer has stopped.
func (a *Appliance) Close() error {
	a.closeOnce.Do(func() {
		close(a.closing)
		if a.KYC != nil {
			a.KYC.Close() // every call ends; what was recorded is kept at the next start
		}
		// Background work finishes what it is doing before the store
		// closes under it (an escalation half done would log an error
		// after the appliance said it stopped).
		a.awaitBackground()
		if a.shipperDone != nil {
			<-a.shipperDone
		}
		if a.Shipper != nil {
			a.Shipper.Client.Close()
		}
		if a.indexerDone != nil {
			select {
			case <-a.indexerDone:
			case <-time.After(ShutdownWait):
				a.Logger.Warn("closing the store while the search indexer is still running", "waited", ShutdownWait)
			}
		}
		err := a.Store.Close()
		a.closeErr = errors.Join(err, a.Search.Close())
	})
	return a.closeErr
}

// sweepRecordings deletes video KYC recordings past their retention, hourly.
func (a *Appliance) sweepRecordings(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := a.KYC.SweepRecordings(); err != nil {
			a.Logger.Error("deleting KYC recordings past their retention failed", "error", err)
		} else if n > 0 {
			a.Logger.Info("KYC recordings past their retention deleted", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-a.closing:
			return
		case <-t.C:
		}
	}
}
