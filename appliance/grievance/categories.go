package grievance

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"ksmart/appliance/domain"
)

//go:embed categories.json
var categoriesJSON []byte

// Category is one kind of problem people report, as data: who fixes it
// and in how many working days.
type Category struct {
	Code        string      `json:"code"` // Open311's service_code
	Name        domain.Text `json:"name"`
	Description domain.Text `json:"description"`
	// Section names the office section that fixes it.
	Section domain.Text `json:"section"`
	// Chain is who holds a report, in order: the section's officer first
	// (the ward officer of that role), then each officer it escalates to
	// when a deadline passes.
	Chain []domain.Role `json:"chain"`
	// Days are the working days the section has to fix it.
	Days int `json:"days"`
	// DaysSource says where Days comes from (a LOCAL SETTING, and why).
	DaysSource string `json:"days_source"`
}

// Settings are the local settings every category shares.
type Settings struct {
	// ReopenDays are the days after a fix within which the reporter may
	// confirm it or reopen the report.
	ReopenDays int `json:"reopen_days"`
	// EscalationDays are the working days each officer up the chain has
	// before the report goes higher.
	EscalationDays int `json:"escalation_days"`
	// NearbyMetres and NearbyDays decide which reports are shown before a
	// new one of the same category is made, as possible duplicates.
	NearbyMetres float64 `json:"nearby_metres"`
	NearbyDays   int     `json:"nearby_days"`
	// MaxPhotos a report (or a fix) may carry.
	MaxPhotos int `json:"max_photos"`
}

// Categories are the categories and settings of a node, in the order the
// form lists them.
type Categories struct {
	Source   string     `json:"source"`
	Settings Settings   `json:"settings"`
	List     []Category `json:"categories"`
}

// Get returns the category with code.
func (c *Categories) Get(code string) (Category, bool) {
	for _, cat := range c.List {
		if cat.Code == code {
			return cat, true
		}
	}
	return Category{}, false
}

// DefaultCategories are ksmart's categories and settings
// (categories.json).
func DefaultCategories() (*Categories, error) { return ParseCategories(categoriesJSON) }

// ParseCategories reads categories in categories.json's form, refusing
// any that a report could not be routed by, every problem listed.
func ParseCategories(raw []byte) (*Categories, error) {
	var c Categories
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	var withSources struct {
		Categories
		Settings struct {
			Settings
			ReopenSource     string `json:"reopen_days_source"`
			EscalationSource string `json:"escalation_days_source"`
			NearbySource     string `json:"nearby_source"`
		} `json:"settings"`
	}
	if err := dec.Decode(&withSources); err != nil {
		return nil, fmt.Errorf("grievance categories: %w", err)
	}
	c = withSources.Categories
	c.Settings = withSources.Settings.Settings
	var problems []string
	s := c.Settings
	if s.ReopenDays < 1 || s.EscalationDays < 1 || s.NearbyDays < 1 || s.NearbyMetres <= 0 || s.MaxPhotos < 1 {
		problems = append(problems, "settings: reopen_days, escalation_days, nearby_days, nearby_metres and max_photos must all be positive")
	}
	seen := map[string]bool{}
	for _, cat := range c.List {
		switch {
		case cat.Code == "" || strings.Trim(cat.Code, "abcdefghijklmnopqrstuvwxyz_0123456789") != "":
			problems = append(problems, fmt.Sprintf("category %q: a code is lower-case letters, digits and _", cat.Code))
		case seen[cat.Code]:
			problems = append(problems, fmt.Sprintf("category %q is listed twice", cat.Code))
		}
		seen[cat.Code] = true
		if cat.Name.En == "" || cat.Name.Ml == "" || cat.Section.En == "" || cat.Section.Ml == "" {
			problems = append(problems, fmt.Sprintf("category %q: its name and section are needed in English and Malayalam", cat.Code))
		}
		if cat.Days < 1 {
			problems = append(problems, fmt.Sprintf("category %q: days must be at least 1", cat.Code))
		}
		if !strings.HasPrefix(cat.DaysSource, "LOCAL SETTING") {
			problems = append(problems, fmt.Sprintf("category %q: days_source must say LOCAL SETTING and where the figure comes from", cat.Code))
		}
		if len(cat.Chain) == 0 {
			problems = append(problems, fmt.Sprintf("category %q: its chain needs at least the section's officer", cat.Code))
		}
		for _, r := range cat.Chain {
			if !r.Known() || r == domain.RoleCitizen || r == domain.RoleKiosk {
				problems = append(problems, fmt.Sprintf("category %q: %q is not an office role", cat.Code, r))
			}
		}
	}
	if len(c.List) == 0 {
		problems = append(problems, "no categories")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("grievance categories: %s", strings.Join(problems, "; "))
	}
	return &c, nil
}
