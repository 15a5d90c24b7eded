package rts_test

import (
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
	"ksmart/internal/needs"
)

// clock is a settable clock for an appliance under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }
func ist(s string) time.Time {
	t, _ := time.ParseInLocation("2006-01-02 15:04:05", s, domain.IST)
	return t
}
func dayEnd(date string) time.Time  { return ist(date + " 23:59:59") }
func (c *clock) At(s string) *clock { c.Set(ist(s)); return c }
func open(t *testing.T, c *clock, holidays ...string) *appliance.Appliance {
	t.Helper()
	lb := synth.DemoLocalBody()
	app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Now: c.Now, Holidays: holidays,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := app.Store.Check(); err != nil {
			t.Errorf("store check: %v", err)
		}
		app.Close()
	})
	return app
}

var (
	front     = domain.Actor{ID: "u-f", Name: "Beena Thomas", Roles: []domain.Role{domain.RoleFrontOffice}}
	clerk     = domain.Actor{ID: "u-c", Name: "Anitha K.", Roles: []domain.Role{domain.RoleSectionClerk}}
	secretary = domain.Actor{ID: "u-s", Name: "Sheeba George", Roles: []domain.Role{domain.RoleSecretary}}
	lsgd1     = domain.Actor{ID: "u-dd", Name: "Deputy Director Suresh", Roles: []domain.Role{domain.RoleAppellateAuthority}}
	lsgd2     = domain.Actor{ID: "u-jd", Name: "Joint Director Latha", Roles: []domain.Role{domain.RoleAppellateAuthority}}
)

func citizen(t *testing.T, app *appliance.Appliance, phone, name string) domain.Actor {
	t.Helper()
	u, err := synth.Citizen(app, phone, name, "a long enough password 1")
	if err != nil {
		t.Fatal(err)
	}
	return u.Actor()
}

// petition files a general petition (15 working days, decided by the
// secretary).
func petition(t *testing.T, app *appliance.Appliance, by domain.Actor) workflow.File {
	t.Helper()
	f, err := app.Workflow.Submit(by, workflow.Submission{Service: "general_petition", Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T(by.Name, "")},
		Values: map[string]string{"applicant_name_en": by.Name, "address": "Kadavil House, Fort Road", "ward": "3", "phone": "9847011111",
			"subject": "Street light out near the market", "petition": "The light at pole 14 has been out for two weeks."}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var scan = workflow.Upload{Name: "card.pdf", Data: []byte("%PDF-1.4\n%ration card\n")}

// rti files a request for information, below the poverty line or not.
func rti(t *testing.T, app *appliance.Appliance, by domain.Actor, bpl bool) workflow.File {
	t.Helper()
	values := map[string]string{"applicant_name_en": by.Name, "address": "Kadavil House, Fort Road", "phone": "9847011111",
		"information_sought": "Copies of the work orders for street lights in ward 3 in 2025-26.", "below_poverty_line": "no"}
	var uploads map[string]workflow.Upload
	if bpl {
		values["below_poverty_line"] = "yes"
		uploads = map[string]workflow.Upload{"bpl_proof": scan}
	}
	f, err := app.Workflow.Submit(by, workflow.Submission{Service: "rti_application", Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T(by.Name, "")}, Values: values, Uploads: uploads})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func act(t *testing.T, app *appliance.Appliance, by domain.Actor, id, kind, note string) workflow.File {
	t.Helper()
	f, err := app.Workflow.Act(by, id, workflow.Request{Kind: kind, Note: note})
	if err != nil {
		t.Fatalf("%s by %s: %v", kind, by.Name, err)
	}
	return f
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin := needs.Tool(t, "poppler-utils", "pdftotext")
	cmd := exec.Command(bin, "-layout", "-", "-")
	cmd.Stdin = strings.NewReader(string(pdf))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
