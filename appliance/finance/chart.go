package finance

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"

	"ksmart/appliance/domain"
)

//go:embed chart.json
var chartJSON []byte

// Kinds of account head.
const (
	HeadAsset     = "asset"
	HeadLiability = "liability"
	HeadIncome    = "income"
	HeadExpense   = "expense"
)

// Head is one account head of the chart.
type Head struct {
	Code string      `json:"code"`
	Type string      `json:"type"` // HeadAsset, HeadLiability, HeadIncome or HeadExpense
	Name domain.Text `json:"name"`
	// Receivable is, for an income head, the asset head its demands are
	// owed under until paid (accrual).
	Receivable string `json:"receivable,omitempty"`
}

// Chart is the chart of accounts, and which heads money moves through.
type Chart struct {
	Source string `json:"source"`
	Heads  []Head `json:"heads"`
	// Roles name the heads money moves through: cash, bank, instruments
	// (cheques and drafts not yet realised), gateway (collected online, not
	// yet settled), write_off, refunds.
	Roles  map[string]string `json:"roles"`
	byCode map[string]int
}

// DefaultChart is the chart ksmart ships: a local setting (see Source).
func DefaultChart() (*Chart, error) { return ParseChart(chartJSON) }

// ParseChart reads a chart of accounts and checks it: codes unique, kinds
// known, every income head with a receivable asset head, every role a
// head.
func ParseChart(data []byte) (*Chart, error) {
	var c Chart
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("chart of accounts: %w", err)
	}
	c.byCode = map[string]int{}
	var problems []string
	for i, h := range c.Heads {
		if _, dup := c.byCode[h.Code]; dup || h.Code == "" {
			problems = append(problems, fmt.Sprintf("head %q: a code must be given, once", h.Code))
		}
		c.byCode[h.Code] = i
		if !slices.Contains([]string{HeadAsset, HeadLiability, HeadIncome, HeadExpense}, h.Type) {
			problems = append(problems, fmt.Sprintf("head %s: unknown type %q", h.Code, h.Type))
		}
		if h.Name.En == "" || h.Name.Ml == "" {
			problems = append(problems, fmt.Sprintf("head %s: a name in English and Malayalam is needed", h.Code))
		}
	}
	for _, h := range c.Heads {
		if h.Type == HeadIncome {
			if r, ok := c.Head(h.Receivable); !ok || r.Type != HeadAsset {
				problems = append(problems, fmt.Sprintf("income head %s: its receivable %q is not an asset head", h.Code, h.Receivable))
			}
		}
	}
	for _, role := range []string{RoleCash, RoleBank, RoleInstruments, RoleGateway, RoleWriteOff, RoleRefunds} {
		if _, ok := c.Head(c.Roles[role]); !ok {
			problems = append(problems, fmt.Sprintf("role %s: no head %q", role, c.Roles[role]))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("chart of accounts: %v", problems)
	}
	return &c, nil
}

// The roles heads play.
const (
	RoleCash        = "cash"
	RoleBank        = "bank"
	RoleInstruments = "instruments"
	RoleGateway     = "gateway"
	RoleWriteOff    = "write_off"
	RoleRefunds     = "refunds"
)

// Head returns the head with a code.
func (c *Chart) Head(code string) (Head, bool) {
	i, ok := c.byCode[code]
	if !ok {
		return Head{}, false
	}
	return c.Heads[i], true
}

// Role returns the code of the head that plays a role.
func (c *Chart) Role(role string) string { return c.Roles[role] }

// Income reports whether code is an income head.
func (c *Chart) Income(code string) bool {
	h, ok := c.Head(code)
	return ok && h.Type == HeadIncome
}
