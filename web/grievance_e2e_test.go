package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"ksmart/appliance/domain"
	"ksmart/appliance/grievance"
)

// placeAt lets the page read the phone's location, and puts the phone at
// lat, lon, as a phone outdoors with its GPS on.
func placeAt(origin string, lat, lon float64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: origin}); err != nil {
			return err
		}
		acc := 10.0
		_, err := cdp.Call(ctx, t, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lon, Accuracy: &acc})
		return err
	})
}

// TestBrowser_AResidentReportsAStreetlightInMalayalamFromAPhoneWithAPhoto:
// on a phone-width page in Malayalam, without signing in, a resident
// chooses the streetlight, lets the page take the phone's location, sees
// the report already made a few metres away (and could say "me too"),
// and reports theirs anyway: a description typed in Malayalam, a photo,
// a phone number, anonymous. The answer is their report's page, in
// Malayalam, with its number, the link to keep, the photo shown, in ward 7
// by its place and with ward 7's overseer; every control labelled and no
// sideways scrolling on the way.
func TestBrowser_AResidentReportsAStreetlightInMalayalamFromAPhoneWithAPhoto(t *testing.T) {
	exe := chromium(t)
	env := newTestEnv(t).withRoles(t, domain.RoleOverseer)
	g := env.app.Grievance
	at, _ := g.Wards.Centre(7)
	if _, _, err := g.Submit(domain.Actor{}, grievance.Submission{Category: "streetlight", Description: "Light off by the ration shop.",
		Lat: ftoa(at.Lat + 0.0004), Lon: ftoa(at.Lon)}); err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(t.TempDir(), "vilakku.jpg")
	if err := os.WriteFile(photo, testPhoto(t), 0o644); err != nil {
		t.Fatal(err)
	}
	fits := `document.documentElement.scrollWidth <= window.innerWidth`

	phone := newBrowser(t, exe, env.ts.URL)
	phone.run("open the report form in Malayalam",
		placeAt(env.ts.URL, at.Lat, at.Lon),
		chromedp.Navigate(phone.url+"/grievances/new?lang=ml"), chromedp.WaitVisible(chromedp.CSS("#locate")))
	if page := phone.text(); !strings.Contains(page, "പ്രശ്നം അറിയിക്കുക") || !strings.Contains(page, "തെരുവുവിളക്ക് കത്തുന്നില്ല") {
		t.Fatalf("the form is not in Malayalam: %.300s", page)
	}
	if n := eval[int](phone, unlabelled); n != 0 {
		t.Errorf("%d form controls have no label", n)
	}
	phone.run("choose the streetlight and take the phone's location",
		chromedp.Click(chromedp.CSS(`input[name=category][value=streetlight]`)),
		chromedp.Click(chromedp.CSS("#locate")),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Poll[bool](`document.querySelector("#lat").value != "" || null`)(ctx, t)
			return err
		}))
	phone.run("go on", phone.submit(`form.report button[type=submit]`), chromedp.WaitVisible(chromedp.CSS("#f-description")))
	if near := phone.textOf("section.nearby"); !strings.Contains(near, "ഇതിനടുത്ത് ഇതിനകം റിപ്പോർട്ട് ചെയ്തവ") || !strings.Contains(near, "എനിക്കും ഉണ്ട്") {
		t.Errorf("the report already made nearby is not shown first: %s", near)
	}
	if !eval[bool](phone, fits) {
		t.Error("the second step scrolls sideways on a phone")
	}
	phone.run("describe it in Malayalam, add a photo and a phone",
		chromedp.SetValue(chromedp.CSS("#f-description"), "പള്ളിയുടെ മുന്നിലെ തെരുവുവിളക്ക് ഒരാഴ്ചയായി കത്തുന്നില്ല."),
		chromedp.SetUploadFiles(chromedp.CSS("#f-photo"), []string{photo}),
		chromedp.SendKeys(chromedp.CSS("#f-phone"), "9847066666"),
		chromedp.Click(chromedp.CSS(`input[name=anonymous]`)))
	if n := eval[int](phone, unlabelled); n != 0 {
		t.Errorf("%d form controls have no label on the second step", n)
	}
	phone.evidence("grievance-report-form-ml.png")
	phone.run("send it", phone.submit(`form[action="/grievances"] button[type=submit]`), chromedp.WaitVisible(chromedp.CSS(".photos img")))
	page := phone.text()
	for _, want := range []string{"നന്ദി", "GR-", "ഈ ലിങ്ക് സൂക്ഷിക്കുക", "തെരുവുവിളക്ക്", "പള്ളിയുടെ മുന്നിലെ", "പേര് വെളിപ്പെടുത്താതെ"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report's page does not say %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "9847066666") {
		t.Error("the public page shows the reporter's phone")
	}
	if w := eval[int](phone, `document.querySelector(".photos img").naturalWidth`); w == 0 {
		t.Error("the photo is not shown")
	}
	if !eval[bool](phone, fits) {
		t.Error("the report's page scrolls sideways on a phone")
	}
	phone.evidence("grievance-reported-ml.png")

	reports, _ := g.List(grievance.Filter{Category: "streetlight"})
	if len(reports) != 2 {
		t.Fatalf("%d streetlight reports, want 2", len(reports))
	}
	r, err := g.Office(domain.Actor{ID: "u-x", Roles: []domain.Role{domain.RoleOverseer}}, reports[0].Number)
	if err != nil {
		t.Fatal(err)
	}
	if r.Ward != 7 || r.At == nil || r.Reporter.Phone != "+919847066666" || !r.Reporter.Anonymous || r.Reporter.Language != "ml" || len(r.Photos) != 1 ||
		r.Officer != env.users[string(domain.RoleOverseer)].ID {
		t.Errorf("stored: ward %d at %v, reporter %+v, %d photos, officer %q", r.Ward, r.At, r.Reporter, len(r.Photos), r.Officer)
	}

	// Ward 7's overseer clears the queue: the report is there, and is fixed
	// with a note and a photo after.
	officer := newBrowser(t, exe, env.ts.URL)
	officer.signIn(string(domain.RoleOverseer), testPassword)
	officer.run("open the queue", chromedp.Navigate(officer.url+"/office/grievances?lang=en"), chromedp.WaitVisible(chromedp.CSS("table.list")))
	if q := officer.textOf("table.list"); !strings.Contains(q, r.Number) || !strings.Contains(q, "Overseer") {
		t.Errorf("the overseer's queue: %s", q)
	}
	officer.evidence("grievance-office-queue.png")
	officer.run("open the report and mark it fixed",
		chromedp.Navigate(officer.url+"/office/grievances/"+r.Number), chromedp.WaitVisible(chromedp.CSS("#fix-note")),
		chromedp.SendKeys(chromedp.CSS("#fix-note"), "New LED lamp fitted; checked at night."),
		chromedp.SetUploadFiles(chromedp.CSS("#fix-photo"), []string{photo}),
		officer.submit(`form.act input[value=fix] ~ button[type=submit]`))
	if n := eval[int](officer, unlabelled); n != 0 {
		t.Errorf("%d office form controls have no label", n)
	}
	officer.evidence("grievance-office-report.png")
	if p, _ := g.Public(r.Number); p.Status != grievance.StatusFixed || len(p.Photos) != 2 {
		t.Fatalf("after the officer's fix: %s with %d photos", p.Status, len(p.Photos))
	}

	// Back on the phone, the reporter confirms and rates it.
	phone.run("confirm the fix and rate it 4",
		chromedp.Navigate(phone.url+"/grievances/"+r.Number), chromedp.WaitVisible(chromedp.CSS(`input[name=rating][value="4"]`)),
		chromedp.Click(chromedp.CSS(`input[name=rating][value="4"]`)),
		phone.submit(`form[action$="/confirm"] button[type=submit]`))
	if page := phone.text(); !strings.Contains(page, "4 / 5") || !strings.Contains(page, "പരിഹരിച്ചു") {
		t.Errorf("after confirming: %s", page)
	}
	phone.evidence("grievance-confirmed-ml.png")
}

func ftoa(f float64) string { return strings.TrimRight(strings.TrimRight(fmtFloat6(f), "0"), ".") }
