package domain

import "time"

// Calendar decides which days the office works: not Sundays, not second
// Saturdays, not the listed public holidays. Time limits under the Kerala
// Right to Service Act count working days.
type Calendar struct {
	// Holidays are public holidays as "2006-01-02" dates.
	Holidays map[string]bool
	// Location is the office's time zone; nil means Asia/Kolkata (IST).
	Location *time.Location
}

// IST is Indian Standard Time, UTC+5:30, without relying on a tz database.
var IST = time.FixedZone("IST", 5*3600+1800)

func (c Calendar) loc() *time.Location {
	if c.Location != nil {
		return c.Location
	}
	return IST
}

// IsWorkingDay reports whether the office works on t's date.
func (c Calendar) IsWorkingDay(t time.Time) bool {
	t = t.In(c.loc())
	switch t.Weekday() {
	case time.Sunday:
		return false
	case time.Saturday:
		if (t.Day()-1)/7 == 1 { // the second Saturday of the month
			return false
		}
	}
	return !c.Holidays[t.Format(time.DateOnly)]
}

// AddWorkingDays returns the end of the office day that is n working days
// after start's date (the day of submission does not count). n <= 0 returns
// the end of start's own day.
func (c Calendar) AddWorkingDays(start time.Time, n int) time.Time {
	d := start.In(c.loc())
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, c.loc())
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d.Add(24*time.Hour - time.Second)
}

// WorkingDaysBetween counts the working days after from's date up to and
// including to's date; negative when to is before from.
func (c Calendar) WorkingDaysBetween(from, to time.Time) int {
	a := from.In(c.loc())
	b := to.In(c.loc())
	a = time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, c.loc())
	b = time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, c.loc())
	sign := 1
	if b.Before(a) {
		a, b, sign = b, a, -1
	}
	n := 0
	for d := a.AddDate(0, 0, 1); !d.After(b); d = d.AddDate(0, 0, 1) {
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return sign * n
}

// AddDays returns the end of the day n days after start's date: working
// days (AddWorkingDays) or, when calendar is set, every day, as an Act
// that counts calendar days wants (the RTI Act's 30 days).
func (c Calendar) AddDays(start time.Time, n int, calendar bool) time.Time {
	if !calendar {
		return c.AddWorkingDays(start, n)
	}
	d := start.In(c.loc())
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, c.loc())
	return d.AddDate(0, 0, max(n, 0)).Add(24*time.Hour - time.Second)
}

// DaysBetween counts the days after from's date up to and including to's
// date: working days (WorkingDaysBetween) or, when calendar is set, every
// day; negative when to is before from.
func (c Calendar) DaysBetween(from, to time.Time, calendar bool) int {
	if !calendar {
		return c.WorkingDaysBetween(from, to)
	}
	a := from.In(c.loc())
	b := to.In(c.loc())
	a = time.Date(a.Year(), a.Month(), a.Day(), 12, 0, 0, 0, time.UTC)
	b = time.Date(b.Year(), b.Month(), b.Day(), 12, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}
