package civil

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ksmart/appliance/module"
)

// counter is countRegistrations kept as writes arrive: each register
// entry adds one registration, and one to its kind's month of
// registration, kept with the year of its id so that Read leaves out the
// entries countRegistrations skips by their id's year.
var counter = &module.Counter{
	Version:  1,
	Entities: []string{entityEntry},
	Keep:     keepEntry,
	Part:     entryContribution,
	Read:     readRegistrations,
}

// sumMonths is the name of a kind's sums by "<month>|<id's year>".
func sumMonths(kind string) string { return "civil.registered@" + kind }

func keepEntry(entity, id string, doc []byte) (string, []byte, error) {
	var e struct {
		Registered time.Time `json:"registered"`
	}
	if err := json.Unmarshal(doc, &e); err != nil {
		return "", nil, fmt.Errorf("register entry %s: %w", id, err)
	}
	kept, err := e.Registered.MarshalText()
	return module.OwnGroup(entity, id), kept, err
}

func entryContribution(_ string, kept []module.Kept, c *module.Contribution) error {
	for _, k := range kept {
		c.Add(figRegistrations, 1)
		kind, _, _ := strings.Cut(k.ID, "/")
		if !slices.Contains(Kinds, kind) {
			continue
		}
		c.Add(FigureKey(kind), 1)
		var registered time.Time
		if err := registered.UnmarshalText(k.Data); err != nil {
			return err
		}
		if !registered.IsZero() {
			c.AddSub(sumMonths(kind), module.MonthOf(registered)+"|"+strconv.Itoa(yearOfEntryID(k.ID)), 1)
		}
	}
	return nil
}

// readRegistrations fills the tally as countRegistrations does.
func readRegistrations(s *module.Sums, t *module.Tally) {
	t.Add(figRegistrations, int(s.Get(figRegistrations, "")))
	firstYear := t.FirstYear()
	for _, kind := range Kinds {
		if n := s.Get(FigureKey(kind), ""); n > 0 {
			t.Add(FigureKey(kind), int(n))
		}
		s.Each(sumMonths(kind), func(sub string, n int64) {
			month, y, _ := strings.Cut(sub, "|")
			if year, _ := strconv.Atoi(y); year != 0 && year < firstYear-1 {
				return
			}
			t.AddMonthN(FigureKey(kind), month, int(n))
		})
	}
}
