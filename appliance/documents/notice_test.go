package documents

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"ksmart/appliance/domain"
)

const sampleUPI = "upi://pay?am=709.00&cu=INR&pa=pala%40sbi&pn=Pala+Municipality&tn=DM%2F2025-26%2F41"

// sampleNotice is a house in ward 5 owing three half-years, the oldest
// with fifteen months' interest.
func sampleNotice() DemandNotice {
	due := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, domain.IST) }
	return DemandNotice{
		LocalBody:  sampleLocalBody(),
		Building:   "5/10A",
		Ward:       5,
		Owners:     domain.T("Ravi Kumar, Sreedevi Ravi", "രവി കുമാർ, ശ്രീദേവി രവി"),
		Address:    domain.T("Thekkedath House, Fort Road", "തെക്കേടത്ത് വീട്, ഫോർട്ട് റോഡ്"),
		Use:        domain.T("Residential", "വാസഗൃഹം"),
		PlinthArea: "100 m²",
		Year:       "2026-27",
		Tax:        138900, Cess: 6900,
		Dues: []NoticeDue{
			{Period: "2025-26/H1", Demand: "DM/2025-26/41", Due: due(2025, time.September, 30), Amount: 69450, Interest: 21000, Balance: 90450},
			{Period: "2025-26/H2", Demand: "DM/2025-26/42", Due: due(2026, time.March, 31), Amount: 69450, Interest: 12600, Paid: 10000, Balance: 72050},
			{Period: "2026-27/H1", Demand: "DM/2026-27/7", Due: due(2026, time.September, 30), Amount: 72900, Interest: 4500, Balance: 77400},
		},
		Total: 90450 + 72050 + 77400,
		Interest: domain.T("Penal interest: 2% a month on an instalment unpaid after its due date, for each month or part of a month.",
			"പിഴപ്പലിശ: അവസാന തീയതിക്ക് ശേഷം അടയ്ക്കാത്ത ഗഡുവിന് ഓരോ മാസത്തിനും മാസത്തിന്റെ ഭാഗത്തിനും പ്രതിമാസം 2%."),
		Issued:     time.Date(2026, 12, 7, 0, 0, 0, 0, domain.IST),
		UPI:        sampleUPI,
		UPICaption: domain.T("Scan with any UPI app to pay ₹904.50 for 2025-26/H1.", "2025-26/H1-ന്റെ ₹904.50 അടയ്ക്കാൻ ഏതെങ്കിലും യു.പി.ഐ. ആപ്പ് ഉപയോഗിച്ച് സ്കാൻ ചെയ്യുക."),
		UPIShown:   "pala@sbi",
	}
}

func TestDemandNotice_GivesBackEveryFigureInBothLanguages(t *testing.T) {
	r := malayalamRenderer(t)
	pdf, err := r.DemandNotice(sampleNotice())
	if err != nil {
		t.Fatal(err)
	}
	text := flat(pdfText(t, pdf))
	for _, want := range []string{
		"Property tax demand notice", "വസ്തു നികുതി ഡിമാൻഡ് നോട്ടീസ്", "പാലാ നഗരസഭ",
		"Building number", "5/10A", "07-12-2026", "Ravi Kumar, Sreedevi Ravi", "രവി കുമാർ, ശ്രീദേവി രവി", "100 m²", "വാസഗൃഹം",
		"₹1,389.00 tax + ₹69.00 service cess = ₹1,458.00 a year",
		"Half-year", "അർദ്ധവർഷം", "Interest", "പലിശ", "Balance", "ബാക്കി",
		"2025-26/H1", "DM/2025-26/41", "30-09-2025", "₹694.50", "₹210.00", "₹904.50",
		"2025-26/H2", "31-03-2026", "₹100.00", "₹720.50",
		"2026-27/H1", "₹729.00", "₹45.00", "₹774.00",
		"Total", "ആകെ", "₹2,399.00",
		"2% a month", "പ്രതിമാസം 2%",
		"Scan with any UPI app", "pala@sbi",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the notice does not say %q", want)
		}
	}
	if t.Failed() {
		t.Logf("extracted text:\n%s", text)
	}
	png := readFile(t, renderPNG(t, pdf, 100, false))
	keepEvidence(t, "demand-notice.png", png)
}

func TestDemandNotice_IsReproducibleAndChangesWithItsFigures(t *testing.T) {
	r := malayalamRenderer(t)
	first, err := r.DemandNotice(sampleNotice())
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.DemandNotice(sampleNotice())
	if err != nil || !bytes.Equal(first, again) {
		t.Fatalf("the same notice drew different bytes (%v)", err)
	}
	n := sampleNotice()
	n.Dues[2].Interest += 100
	n.Dues[2].Balance += 100
	n.Total += 100
	other, err := r.DemandNotice(n)
	if err != nil || SHA256(other) == SHA256(first) {
		t.Fatalf("a notice with a rupee more interest is the same file (%v)", err)
	}
}

func TestDemandNotice_QRCodeReadsBackTheUPIAddress(t *testing.T) {
	needTool(t, "zbarimg", "zbar-tools")
	pdf, err := malayalamRenderer(t).DemandNotice(sampleNotice())
	if err != nil {
		t.Fatal(err)
	}
	out := runTool(t, "zbarimg", "--quiet", "--raw", renderPNG(t, pdf, 150, false))
	if got := strings.TrimSpace(string(out)); got != sampleUPI {
		t.Fatalf("the QR code reads %q, want %q", got, sampleUPI)
	}
}

func TestDemandNotice_YearsOfArrearsStillFitOnOnePageWithTheExactTotal(t *testing.T) {
	n := sampleNotice()
	n.Dues, n.Total = nil, 0
	for i := range 24 { // twelve years
		y := 2014 + i/2
		d := NoticeDue{Period: fmt.Sprintf("%d-%02d/H%d", y, (y+1)%100, i%2+1), Demand: fmt.Sprintf("DM/%d-%02d/%d", y, (y+1)%100, 100+i),
			Due: time.Date(y, time.September, 30, 0, 0, 0, 0, domain.IST), Amount: 50000, Interest: domain.Paise(1000 * (24 - i)), Balance: 50000 + domain.Paise(1000*(24-i))}
		n.Dues = append(n.Dues, d)
		n.Total += d.Balance
	}
	pdf, err := malayalamRenderer(t).DemandNotice(n)
	if err != nil {
		t.Fatal(err)
	}
	text := flat(pdfText(t, pdf))
	// The oldest fifteen are summed in one line; the latest nine are
	// listed; the total is every one's.
	var earlier domain.Paise
	for _, d := range n.Dues[:15] {
		earlier += d.Balance
	}
	for _, want := range []string{"2014-15/H1 to 2021-22/H1 (15 earlier half-years)", earlier.String(), "2021-22/H2", "2025-26/H2", n.Total.String()} {
		if !strings.Contains(text, want) {
			t.Errorf("the notice of twelve years does not say %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "DM/2014-15/100") {
		t.Errorf("a summed half-year is listed on its own too")
	}
	keepEvidence(t, "demand-notice-arrears.png", readFile(t, renderPNG(t, pdf, 100, false)))
}

func TestDemandNotice_NothingOwedSaysSoAndEnglishOnlyPrintsEnglish(t *testing.T) {
	n := sampleNotice()
	n.Dues, n.Total, n.UPI = nil, 0, ""
	pdf, err := NewRenderer(EnglishOnly()).DemandNotice(n)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	if !strings.Contains(text, "Nothing is owed on this building today.") || strings.ContainsFunc(text, isMalayalam) {
		t.Fatalf("an English-only notice of nothing owed says:\n%s", text)
	}
}

func TestDemandNotice_BadInputIsRejected(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*DemandNotice)
	}{
		{"no building", func(n *DemandNotice) { n.Building = "" }},
		{"no date", func(n *DemandNotice) { n.Issued = time.Time{} }},
		{"a total that is not the half-years'", func(n *DemandNotice) { n.Total++ }},
		{"a half-year with nothing owed", func(n *DemandNotice) { n.Dues[0].Balance = 0 }},
		{"no interest rule", func(n *DemandNotice) { n.Interest = domain.Text{} }},
		{"not a UPI address", func(n *DemandNotice) { n.UPI = "https://example.com" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := sampleNotice()
			tc.change(&n)
			b, err := NewRenderer(EnglishOnly()).DemandNotice(n)
			if domain.ErrorCode(err) != domain.EINVALID || b != nil {
				t.Fatalf("DemandNotice() = %d bytes, %v; want an EINVALID error", len(b), err)
			}
		})
	}
}
