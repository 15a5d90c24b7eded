package appliance_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"testing"

	"ksmart/appliance"
	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/synth"
	"ksmart/internal/needs"
)

// TestImport_AKioskCopyOfAnImportedEntryNamesTheRegistrarGivenAtImport
// imports an old register as the registrar answerable for it, prints one
// of its entries at the kiosk, and reads the PDF: it names that registrar
// and the designation, not the Unix user who ran the import. An import
// naming no registrar, or a clerk, is refused and changes nothing; and
// the office search says when it found a record through a parent's name.
func TestImport_AKioskCopyOfAnImportedEntryNamesTheRegistrarGivenAtImport(t *testing.T) {
	pdftotext := needs.Tool(t, "poppler-utils", "pdftotext")
	lb := synth.DemoLocalBody()
	app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	for _, s := range []identity.NewStaff{
		{Login: "suma", Name: "Suma Devi K.", Roles: []domain.Role{domain.RoleRegistrar}},
		{Login: "anitha", Name: "Anitha K.", Roles: []domain.Role{domain.RoleSectionClerk}},
	} {
		if _, _, err := app.Identity.AddStaff(domain.System, s); err != nil {
			t.Fatal(err)
		}
	}
	csv := "register_number,registration_date,child_name_en,child_name_ml,sex,date_of_birth,mother_name_en,mother_name_ml,father_name_en,father_name_ml,ward\n" +
		"B-7/1961,1961-03-02,Sreekumar K. R.,ശ്രീകുമാർ കെ. ആർ.,male,1961-02-20,Priya Devi,പ്രിയ ദേവി,Raghavan Nair,രാഘവൻ നായർ,3\n"
	before := app.Store.LastSeq()
	for _, login := range []string{"", "anitha", "nobody"} {
		if _, err := app.ImportRegister("births", strings.NewReader(csv), "root", login, nil); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("an import with registrar %q: %v; want it refused", login, err)
		}
	}
	if app.Store.LastSeq() != before {
		t.Fatalf("a refused import wrote %d events", app.Store.LastSeq()-before)
	}
	if rep, err := app.ImportRegister("births", strings.NewReader(csv), "root", "suma", nil); err != nil || rep.Imported != 1 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app.FollowIndex(ctx)
	if err := app.Search.WaitFor(ctx, app.Store.LastSeq()); err != nil {
		t.Fatal(err)
	}

	// Copies print free here; a paid copy is printed by the same code once
	// its demand is paid.
	app.Civil.CopyFees = nil
	kiosk := appliance.KioskActor("hall")
	res, err := app.Civil.KioskSearch(ctx, kiosk, "10.0.0.5", civil.KioskQuery{Name: "Sreekumar", Date: "20-02-1961"})
	if err != nil || len(res.Matches) != 1 {
		t.Fatalf("kiosk search: %+v %v", res, err)
	}
	rec, pdf, err := app.Civil.KioskCertificate(kiosk, "10.0.0.5", res.Matches[0].Token)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Printed.Officer.En != "Suma Devi K." {
		t.Errorf("the certificate names %q; want the registrar given at import", rec.Printed.Officer.En)
	}
	cmd := exec.Command(pdftotext, "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"Suma Devi K.", "Registrar of Births and Deaths"} {
		if !strings.Contains(text, want) {
			t.Errorf("the printed certificate does not say %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "root") {
		t.Errorf("the printed certificate names the Unix user who ran the import:\n%s", text)
	}

	// An entry imported before the registrar was asked for names "root":
	// its copy names the body's registrar of today instead.
	older := "register_number,registration_date,child_name_en,sex,date_of_birth,mother_name_en,ward\nB-9/1962,1962-05-02,Vasudevan Nair,male,1962-04-20,Janaki Amma,3\n"
	if rep, err := app.Civil.ImportFor("births", strings.NewReader(older), appliance.CLIActor("root"), civil.Officer{ID: "cli:root", Name: "root"}, nil); err != nil || rep.Imported != 1 {
		t.Fatalf("an import as it was before: %+v %v", rep, err)
	}
	if err := app.Search.WaitFor(ctx, app.Store.LastSeq()); err != nil {
		t.Fatal(err)
	}
	res, err = app.Civil.KioskSearch(ctx, kiosk, "10.0.0.5", civil.KioskQuery{Name: "Vasudev", Date: "20-04-1962"})
	if err != nil || len(res.Matches) != 1 {
		t.Fatalf("kiosk search for Vasudev: %+v %v", res, err)
	}
	if got := res.Matches[0].Names[0].Value.En; got != "Vasudevan N•••" {
		t.Errorf("the match shows %q; want the word typed (Vasudev for Vasudevan) whole", got)
	}
	rec, _, err = app.Civil.KioskCertificate(kiosk, "10.0.0.5", res.Matches[0].Token)
	if err != nil || rec.Printed.Officer.En != "Suma Devi K." || rec.Printed.OfficerTitle.En != "Registrar of Births and Deaths" {
		t.Fatalf("the copy of an entry imported as root names %q, %q (%v); want the registrar of today", rec.Printed.Officer.En, rec.Printed.OfficerTitle.En, err)
	}

	// Found through the mother's name, the hit says so.
	registrar, _ := app.Identity.ByLogin("suma")
	found, err := app.OfficeSearch(ctx, registrar.Actor(), appliance.OfficeQuery{Text: "Priya Devi"})
	if err != nil || len(found.Hits) == 0 {
		t.Fatalf("office search for the mother: %+v %v", found, err)
	}
	if why := found.Hits[0].Why; why.En != "mother: Priya Devi" && why.En != "mother: പ്രിയ ദേവി" {
		t.Errorf("the hit found through the mother says %+v; want mother: Priya Devi", why)
	}
	found, err = app.OfficeSearch(ctx, registrar.Actor(), appliance.OfficeQuery{Text: "K R Sreekumar"})
	if err != nil || len(found.Hits) == 0 || found.Hits[0].Why.En != "" {
		t.Fatalf("office search for the person: %+v %v; want a hit found by the person's own name", found, err)
	}
}
