package licence

import (
	"encoding/json"

	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/store"
)

// The figures the state sees of a body's licences: those on the register
// in force, granted by the office and deemed by the law (the Right to
// Service counts these), expired, and the months they were granted in.
const (
	FigureInForce = "licences_in_force"
	FigureIssued  = "licences_issued"
	FigureDeemed  = "licences_deemed"
	FigureExpired = "licences_expired"
)

var figures = &module.Figures{
	Count:   countLicences,
	Counter: counter,
	Headlines: []module.Headline{
		{Name: domain.T("Trade licences in force", "പ്രാബല്യത്തിലുള്ള വ്യാപാര ലൈസൻസുകൾ"), Key: FigureInForce},
		{Name: domain.T("Licences issued", "നൽകിയ ലൈസൻസുകൾ"), Key: FigureIssued},
		{Name: domain.T("Licences deemed (not decided in 30 days)", "30 ദിവസത്തിനകം തീരുമാനിക്കാത്തതിനാൽ അനുവദിച്ചവ"), Key: FigureDeemed},
		{Name: domain.T("Licences expired", "കാലാവധി കഴിഞ്ഞ ലൈസൻസുകൾ"), Key: FigureExpired},
		{Name: domain.T("Licences deemed, of those issued", "നൽകിയവയിൽ അനുവദിച്ചതായി കണക്കാക്കിയവ"), Key: FigureDeemed, Of: FigureIssued},
	},
	Charts: []module.Chart{{
		ID: "licences-granted", Title: domain.T("Licences granted each month", "ഓരോ മാസവും അനുവദിച്ച ലൈസൻസുകൾ"),
		Description: domain.T("Licences granted or renewed by the office, and those deemed granted because the office did not decide in time, by month.",
			"ഓഫീസ് അനുവദിച്ചതോ പുതുക്കിയതോ ആയ ലൈസൻസുകളും സമയത്ത് തീരുമാനിക്കാത്തതിനാൽ അനുവദിച്ചതായി കണക്കാക്കിയവയും, മാസം തിരിച്ച്."),
		Bars: []module.Series{{Key: FigureIssued, Name: domain.T("By the office", "ഓഫീസ്"), Class: "s1"}, {Key: FigureDeemed, Name: domain.T("Deemed", "കണക്കാക്കിയത്"), Class: "s2"}},
	}},
}

// countLicences counts a body's licences from its current documents, at
// the tally's time.
func countLicences(tx *store.Tx, t *module.Tally) error {
	for _, k := range []string{FigureInForce, FigureIssued, FigureDeemed, FigureExpired} {
		t.Add(k, 0)
	}
	return tx.Scan(entityLicence, store.ScanOptions{}, func(_ string, raw []byte) error {
		var l Licence
		if err := json.Unmarshal(raw, &l); err != nil {
			return err
		}
		switch l.StatusAt(t.At) {
		case StatusActive, StatusDeemed, StatusPending:
			t.Add(FigureInForce, 1)
		case StatusExpired:
			t.Add(FigureExpired, 1)
		}
		if l.Deemed != nil {
			t.Add(FigureDeemed, 1)
			t.AddMonthly(FigureDeemed, l.Granted)
		} else {
			t.AddMonthly(FigureIssued, l.Granted)
		}
		t.Add(FigureIssued, 1)
		return nil
	})
}
