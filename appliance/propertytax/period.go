package propertytax

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"ksmart/appliance/domain"
)

// Period is a half of a financial year, for which property tax is demanded
// in one instalment: the first half (April to September) is due on 30
// September, the second (October to March) on 31 March.
type Period struct {
	Year int // the year the financial year starts in: 2026 for 2026-27
	Half int // 1 or 2
}

var periodPattern = regexp.MustCompile(`^(\d{4})-(\d{2})/H([12])$`)

// ParsePeriod reads a period as "2026-27/H1".
func ParsePeriod(s string) (Period, error) {
	m := periodPattern.FindStringSubmatch(s)
	if m == nil {
		return Period{}, fmt.Errorf("%q is not a half-year: write it as 2026-27/H1 or 2026-27/H2", s)
	}
	y, _ := strconv.Atoi(m[1])
	next, _ := strconv.Atoi(m[2])
	if (y+1)%100 != next {
		return Period{}, fmt.Errorf("%q is not a financial year: the second year follows the first (e.g. 2026-27)", s)
	}
	h, _ := strconv.Atoi(m[3])
	return Period{Year: y, Half: h}, nil
}

// PeriodOf is the half-year a moment falls in, in Indian time.
func PeriodOf(t time.Time) Period {
	t = t.In(domain.IST)
	switch m := t.Month(); {
	case m >= time.April && m <= time.September:
		return Period{Year: t.Year(), Half: 1}
	case m >= time.October:
		return Period{Year: t.Year(), Half: 2}
	default:
		return Period{Year: t.Year() - 1, Half: 2}
	}
}

// String is "2026-27/H1".
func (p Period) String() string { return fmt.Sprintf("%s/H%d", p.FinancialYear(), p.Half) }

// FinancialYear is "2026-27".
func (p Period) FinancialYear() string { return fmt.Sprintf("%d-%02d", p.Year, (p.Year+1)%100) }

// Name names the period for people.
func (p Period) Name() domain.Text {
	if p.Half == 1 {
		return domain.T(p.FinancialYear()+", first half (April–September)", p.FinancialYear()+", ഒന്നാം അർദ്ധവർഷം (ഏപ്രിൽ–സെപ്റ്റംബർ)")
	}
	return domain.T(p.FinancialYear()+", second half (October–March)", p.FinancialYear()+", രണ്ടാം അർദ്ധവർഷം (ഒക്ടോബർ–മാർച്ച്)")
}

// Start is the first day of the period, at midnight Indian time.
func (p Period) Start() time.Time {
	if p.Half == 1 {
		return time.Date(p.Year, time.April, 1, 0, 0, 0, 0, domain.IST)
	}
	return time.Date(p.Year, time.October, 1, 0, 0, 0, 0, domain.IST)
}

// Due is the last day to pay the instalment without interest: 30
// September or 31 March (the end of that day, Indian time).
func (p Period) Due() time.Time {
	if p.Half == 1 {
		return time.Date(p.Year, time.September, 30, 0, 0, 0, 0, domain.IST)
	}
	return time.Date(p.Year+1, time.March, 31, 0, 0, 0, 0, domain.IST)
}

// Next is the half-year after p; Prev the one before.
func (p Period) Next() Period {
	if p.Half == 1 {
		return Period{Year: p.Year, Half: 2}
	}
	return Period{Year: p.Year + 1, Half: 1}
}

func (p Period) Prev() Period {
	if p.Half == 2 {
		return Period{Year: p.Year, Half: 1}
	}
	return Period{Year: p.Year - 1, Half: 2}
}

// Before reports whether p comes before q.
func (p Period) Before(q Period) bool {
	return p.Year < q.Year || (p.Year == q.Year && p.Half < q.Half)
}

// Penal interest is charged for each month or part of a month after the
// due date. Month k after a due date D runs from the day after D plus k-1
// months to D plus k months, where adding months keeps D's day of the month
// or, in a shorter month, its last day: for 30 September, month 1 is
// 1–30 October and month 2 is 31 October–30 November; for 31 March, month
// 1 is 1–30 April and month 2 is 1–31 May. A payment made on any day of
// month k pays k months' interest.

// addMonths adds n months to a date, keeping its day of the month or the
// last day of a shorter month.
func addMonths(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, d.Location())
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(day, last), 0, 0, 0, 0, d.Location())
}

// MonthsOverdue is how many months (or parts of one) have begun after due
// by the day of at: 0 on or before the due date.
func MonthsOverdue(due, at time.Time) int {
	day := dateOnly(at)
	due = dateOnly(due)
	n := 0
	for day.After(addMonths(due, n)) {
		n++
	}
	return n
}

// MonthStart is the first day of month k after due.
func MonthStart(due time.Time, k int) time.Time {
	return addMonths(dateOnly(due), k-1).AddDate(0, 0, 1)
}

func dateOnly(t time.Time) time.Time {
	t = t.In(domain.IST)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, domain.IST)
}
