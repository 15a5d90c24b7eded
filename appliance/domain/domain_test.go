package domain

import (
	"testing"
	"time"
)

func TestCalendar_SkipsSundaysSecondSaturdaysAndHolidays(t *testing.T) {
	cal := Calendar{Holidays: map[string]bool{"2026-12-25": true}}
	// Friday 2026-12-11; Saturday 12th is the second Saturday, Sunday 13th.
	start := time.Date(2026, 12, 11, 10, 0, 0, 0, IST)
	due := cal.AddWorkingDays(start, 1)
	if got := due.Format(time.DateOnly); got != "2026-12-14" {
		t.Fatalf("1 working day after Fri 11 Dec = %s, want Mon 14 Dec", got)
	}
	// Thursday 24 Dec + 1 skips Christmas (a holiday) to Sat 26 (fourth Saturday works).
	due = cal.AddWorkingDays(time.Date(2026, 12, 24, 9, 0, 0, 0, IST), 1)
	if got := due.Format(time.DateOnly); got != "2026-12-26" {
		t.Fatalf("1 working day after 24 Dec = %s, want 26 Dec", got)
	}
	if cal.WorkingDaysBetween(start, due) != 11 {
		t.Fatalf("working days 11 Dec..26 Dec = %d, want 11", cal.WorkingDaysBetween(start, due))
	}
}

func TestPaise_IndianGrouping(t *testing.T) {
	for in, want := range map[Paise]string{
		Rupees(0): "₹0.00", 12345650: "₹1,23,456.50", Rupees(999): "₹999.00", -150: "-₹1.50",
	} {
		if got := in.String(); got != want {
			t.Errorf("%d paise = %q, want %q", in, got, want)
		}
	}
}

func TestFieldErrors_ListsEveryField(t *testing.T) {
	fe := FieldErrors{}
	fe.Add("name", T("Name is required", "പേര് ആവശ്യമാണ്"))
	fe.Add("dob", T("Date is invalid", "തീയതി തെറ്റാണ്"))
	err := fe.Err()
	if ErrorCode(err) != EINVALID || len(err.(*Error).Fields) != 2 {
		t.Fatalf("got %v", err)
	}
}
