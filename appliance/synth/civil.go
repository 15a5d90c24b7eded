package synth

import (
	"math/rand/v2"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
)

// civilForms keeps what the demo has registered, so that applications for
// certificates, corrections and name inclusions name real entries.
type civilForms struct {
	entries map[string][]civil.Entry // by kind
	unnamed []civil.Entry            // births registered without a name
}

func (cf *civilForms) add(e civil.Entry) {
	if cf.entries == nil {
		cf.entries = map[string][]civil.Entry{}
	}
	cf.entries[e.Kind] = append(cf.entries[e.Kind], e)
	if e.Kind == civil.KindBirth && e.Values["child_name_en"] == "" {
		cf.unnamed = append(cf.unnamed, e)
	}
}

// kindOf is the register a civil service concerns.
func kindOf(code string) string {
	switch code {
	case "birth_certificate", "birth_correction", "birth_name_inclusion":
		return civil.KindBirth
	case "death_certificate", "death_correction":
		return civil.KindDeath
	case "marriage_certificate", "marriage_correction":
		return civil.KindMarriage
	}
	return ""
}

// fill makes a civil service's form lawful where FillForm's random values
// would not be: event dates inside the service's fee bands, marriageable
// ages, and references to entries that exist. It reports false when the
// service cannot be applied for yet (no suitable entry registered).
func (cf *civilForms) fill(rng *rand.Rand, svc catalogue.Service, v map[string]string, now time.Time) bool {
	if svc.Module != civil.Module.Catalogue {
		return true
	}
	day := func(daysAgo int) string { return now.AddDate(0, 0, -daysAgo).In(domain.IST).Format(time.DateOnly) }
	inBand := func() int {
		bands := svc.Fee.Bands
		b := bands[rng.IntN(len(bands))]
		hi := b.ToDays
		if hi == 0 {
			hi = b.FromDays + 3000
		}
		return b.FromDays + rng.IntN(hi-b.FromDays+1)
	}
	places := []string{"General Hospital, Ernakulam", "Government Taluk Hospital", "Lakeshore Hospital, Kochi", "Family home, Fort Road", "Medical Trust Hospital"}
	halls := []string{"St. Mary's Church, Fort Kochi", "Juma Masjid Hall", "Sree Krishna Temple Auditorium", "Town Hall", "Registrar's office"}
	switch svc.Code {
	case "birth_registration", "delayed_birth_registration":
		v["date_of_birth"] = day(inBand())
		v["place_of_birth"] = places[rng.IntN(len(places))]
		v["still_birth"] = "no"
		if rng.IntN(15) == 0 {
			v["still_birth"] = "yes"
		}
		if rng.IntN(6) == 0 || v["still_birth"] == "yes" {
			v["child_name_en"], v["child_name_ml"] = "", ""
		}
		return true
	case "death_registration", "delayed_death_registration":
		v["date_of_death"] = day(inBand())
		v["place_of_death"] = places[rng.IntN(len(places))]
		v["cause_of_death"] = []string{"Heart attack", "Old age", "Pneumonia", "Road accident"}[rng.IntN(4)]
		return true
	case "marriage_registration":
		ago := inBand()
		v["date_of_marriage"] = day(ago)
		v["bride_dob"] = day(ago + 365*(20+rng.IntN(10)))
		v["groom_dob"] = day(ago + 365*(24+rng.IntN(10)))
		v["applying_from"] = "kerala"
		v["place_of_marriage"] = halls[rng.IntN(len(halls))]
		return true
	case "non_availability_certificate":
		v["date_of_event"] = day(400 + rng.IntN(9000))
		return true
	}
	kind := kindOf(svc.Code)
	all := cf.entries[kind]
	if svc.Code == "birth_name_inclusion" {
		all = cf.unnamed
	}
	// Only entries registered before this application: the demo's files
	// are worked out of order, and a copy cannot predate its entry.
	var pool []civil.Entry
	for _, e := range all {
		if e.Registered.Before(now) {
			pool = append(pool, e)
		}
	}
	if len(pool) == 0 {
		return false
	}
	e := pool[rng.IntN(len(pool))]
	if svc.Code == "birth_name_inclusion" {
		// One inclusion per unnamed entry.
		for i, u := range cf.unnamed {
			if u.ID == e.ID {
				cf.unnamed = append(cf.unnamed[:i:i], cf.unnamed[i+1:]...)
				break
			}
		}
	}
	v["registration_number"] = e.Number
	for _, f := range []string{"date_of_birth", "date_of_death", "date_of_marriage"} {
		if _, ok := v[f]; ok {
			v[f] = e.EventDate
		}
	}
	if _, ok := v["entry"]; ok {
		for _, c := range svc.Fields {
			if c.Name == "entry" {
				// Correct a place: a kind of entry every register has, with
				// free text, so the correction is lawful.
				for _, ch := range c.Choices {
					if ch.Value == "place_of_birth" || ch.Value == "place_of_death" || ch.Value == "place_of_marriage" {
						v["entry"] = ch.Value
					}
				}
			}
		}
		v["present_entry"] = e.Values[v["entry"]]
		v["correct_entry"] = "District Hospital, Ernakulam"
	}
	return true
}
