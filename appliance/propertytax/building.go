package propertytax

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/domain"
)

// Building is one entry of the building register: what is taxed, whose it
// is, and how it is used. Every change is an event (see events.go); the
// record is the building as it stands.
type Building struct {
	ID     string  `json:"id"`     // Number.ID()
	Number string  `json:"number"` // "12/345A"
	Ward   int     `json:"ward"`
	Owners []Owner `json:"owners"`
	// Occupancy is "owner" (the owner lives or works there) or "rented".
	Occupancy string      `json:"occupancy"`
	Occupier  domain.Text `json:"occupier,omitzero"`
	// Flat is a unit of an apartment building, which the small-house
	// exemption does not cover.
	Flat         bool        `json:"flat,omitempty"`
	Floors       []Floor     `json:"floors"`
	PlotArea     Area        `json:"plot_area_m2"`
	Zone         string      `json:"zone"`
	Road         string      `json:"road"`
	Construction string      `json:"construction"`
	YearBuilt    int         `json:"year_built"`
	Address      domain.Text `json:"address"`
	SurveyNumber string      `json:"survey_number,omitempty"`
	// Location is "latitude,longitude" where known.
	Location string `json:"location,omitempty"`
	// Photo is the blob of the building's photograph.
	Photo string `json:"photo,omitempty"`
	// Exemption is a ground of exemption an officer granted (the small
	// house exemption is not granted: it follows from the building).
	Exemption string `json:"exemption,omitempty"`
	// TaxedFrom is the first half-year the building is taxed for.
	TaxedFrom string `json:"taxed_from"`
	// Status is "active", or "demolished" from Demolished on.
	Status     string    `json:"status"`
	Demolished string    `json:"demolished,omitempty"`
	Registered time.Time `json:"registered"`
	Changed    time.Time `json:"changed"`
	Version    int       `json:"version"`
}

// Building statuses.
const (
	StatusActive     = "active"
	StatusDemolished = "demolished"
)

// Owner is one owner of a building, with their share in percent.
type Owner struct {
	Name    domain.Text `json:"name"`
	Share   int         `json:"share_percent"`
	Phone   string      `json:"phone,omitempty"`
	Address domain.Text `json:"address,omitzero"`
	// UserID is the citizen account the owner claimed the building with.
	UserID string `json:"user_id,omitempty"`
}

// Floor is one floor of a building and its use.
type Floor struct {
	Level int    `json:"level"` // 0 ground, 1 first, -1 cellar
	Use   string `json:"use"`
	Area  Area   `json:"area_m2"`
	// Unauthorised marks a floor (or a portion, entered as its own floor)
	// built without permission and not regularised.
	Unauthorised bool `json:"unauthorised,omitempty"`
}

// PlinthArea is the area of every floor.
func (b Building) PlinthArea() Area {
	var a Area
	for _, f := range b.Floors {
		a += f.Area
	}
	return a
}

// MainUse is the use of the largest area.
func (b Building) MainUse() string {
	by := map[string]Area{}
	best := ""
	for _, f := range b.Floors {
		by[f.Use] += f.Area
		if best == "" || by[f.Use] > by[best] {
			best = f.Use
		}
	}
	return best
}

// OwnerNames is the owners' names joined, in one language.
func (b Building) OwnerNames(lang string) string {
	var names []string
	for _, o := range b.Owners {
		n := o.Name.En
		if lang == "ml" && o.Name.Ml != "" {
			n = o.Name.Ml
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

// OwnedBy reports whether a citizen account has claimed the building.
func (b Building) OwnedBy(userID string) bool {
	for _, o := range b.Owners {
		if userID != "" && o.UserID == userID {
			return true
		}
	}
	return false
}

// maxPlotMultiple is how many times its plot a building's plinth area may
// be: more is a mistake of entry (a plot in cents, an area in sq ft).
const maxPlotMultiple = 50

// Check lists, field by field, what is wrong with a building's particulars
// under the rules: nothing is registered with a mistake in it.
func (r *Rules) Check(b Building, lb domain.LocalBody, now time.Time) domain.FieldErrors {
	fe := domain.FieldErrors{}
	if _, err := ParseNumber(b.Number); err != nil {
		fe.Add("number", domain.T(err.Error(), "കെട്ടിട നമ്പർ വാർഡ്/വാതിൽ നമ്പർ ആയി നൽകുക (ഉദാ. 12/345 അല്ലെങ്കിൽ 12/345A)."))
	}
	if !wardOf(lb, b.Ward) {
		fe.Add("ward", domain.T(fmt.Sprintf("Ward %d is not a ward of %s.", b.Ward, lb.Name.En), fmt.Sprintf("%d-ാം വാർഡ് %s-ന്റെ വാർഡല്ല.", b.Ward, lb.Name.Ml)))
	}
	if len(b.Owners) == 0 {
		fe.Add("owners", domain.T("Name at least one owner.", "ഒരു ഉടമയുടെയെങ്കിലും പേര് നൽകുക."))
	}
	share := 0
	for _, o := range b.Owners {
		share += o.Share
		if n := utf8.RuneCountInString(strings.TrimSpace(o.Name.En + o.Name.Ml)); n == 0 || n > 200 || o.Share <= 0 {
			fe.Add("owners", domain.T("Each owner needs a name and a share of more than 0%.", "ഓരോ ഉടമയ്ക്കും പേരും 0%-ൽ കൂടുതൽ ഓഹരിയും വേണം."))
		}
	}
	if len(b.Owners) > 0 && share != 100 {
		fe.Add("owners", domain.T(fmt.Sprintf("The owners' shares add up to %d%%, not 100%%.", share), fmt.Sprintf("ഉടമകളുടെ ഓഹരികൾ ചേർന്ന് %d%% ആണ്, 100%% അല്ല.", share)))
	}
	if b.Occupancy != "owner" && b.Occupancy != "rented" {
		fe.Add("occupancy", domain.T("Say whether the owner occupies it or it is rented.", "ഉടമ താമസിക്കുന്നതാണോ വാടകയ്ക്കാണോ എന്ന് നൽകുക."))
	}
	if len(b.Floors) == 0 || len(b.Floors) > 60 {
		fe.Add("floors", domain.T("Give each floor (1 to 60) with its use and area.", "ഓരോ നിലയും (1 മുതൽ 60 വരെ) ഉപയോഗവും വിസ്തീർണ്ണവും സഹിതം നൽകുക."))
	}
	for _, f := range b.Floors {
		if _, ok := r.rate(f.Use, 0); !ok {
			fe.Add("use", domain.T(fmt.Sprintf("%q is not a use this local body has a rate for (%s).", f.Use, strings.Join(r.UsesRated(), ", ")),
				fmt.Sprintf("%q ഈ തദ്ദേശ സ്ഥാപനത്തിന് നിരക്കുള്ള ഉപയോഗമല്ല.", f.Use)))
		}
		if f.Area <= 0 || f.Area > SquareMetres(100_000) {
			fe.Add("plinth_area_sqm", domain.T("Give each floor's area in square metres, more than 0 and at most 1,00,000.", "ഓരോ നിലയുടെയും വിസ്തീർണ്ണം ചതുരശ്ര മീറ്ററിൽ, 0-ൽ കൂടുതലും 1,00,000 വരെയും നൽകുക."))
		}
	}
	if b.PlotArea <= 0 {
		fe.Add("plot_area_sqm", domain.T("Give the plot's area in square metres.", "പ്ലോട്ടിന്റെ വിസ്തീർണ്ണം ചതുരശ്ര മീറ്ററിൽ നൽകുക."))
	} else if b.PlinthArea() > b.PlotArea*maxPlotMultiple {
		fe.Add("plinth_area_sqm", domain.T(fmt.Sprintf("A plinth area of %s on a plot of %s is more than %d times the plot: check both (square metres, not square feet or cents).", b.PlinthArea(), b.PlotArea, maxPlotMultiple),
			fmt.Sprintf("%s പ്ലോട്ടിൽ %s തറ വിസ്തീർണ്ണം പ്ലോട്ടിന്റെ %d മടങ്ങിലധികമാണ്: രണ്ടും പരിശോധിക്കുക (ചതുരശ്ര മീറ്ററിൽ).", b.PlotArea, b.PlinthArea(), maxPlotMultiple)))
	}
	for _, c := range []struct {
		field, code string
		list        []Adjustment
	}{{"zone", b.Zone, r.Local.Zones}, {"road", b.Road, r.Local.Roads}, {"construction", b.Construction, r.Local.Constructions}} {
		if _, ok := adjustment(c.list, c.code); !ok {
			fe.Add(c.field, domain.T(fmt.Sprintf("Choose the %s from the list.", strings.ReplaceAll(c.field, "_", " ")), "പട്ടികയിൽ നിന്ന് തിരഞ്ഞെടുക്കുക."))
		}
	}
	if y := now.In(domain.IST).Year(); b.YearBuilt < 1800 || b.YearBuilt > y {
		fe.Add("year_built", domain.T(fmt.Sprintf("Give the year it was built, 1800 to %d.", y), fmt.Sprintf("നിർമ്മിച്ച വർഷം, 1800 മുതൽ %d വരെ, നൽകുക.", y)))
	}
	if b.Exemption != "" {
		if _, ok := r.Exemption(b.Exemption); !ok || b.Exemption == ExemptSmallHouse {
			fe.Add("exemption", domain.T("Choose a ground of exemption from the list.", "ഇളവിനുള്ള കാരണം പട്ടികയിൽ നിന്ന് തിരഞ്ഞെടുക്കുക."))
		}
	}
	return fe
}

func wardOf(lb domain.LocalBody, ward int) bool {
	if len(lb.Wards) == 0 {
		return ward > 0 && ward < 1000
	}
	for _, w := range lb.Wards {
		if w.Number == ward {
			return true
		}
	}
	return false
}
