package rts_test

import (
	"strings"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/rts"
	"ksmart/appliance/workflow"
)

// TestClock_WorkingAndCalendarDaysHolidaysAndDaysWithTheCitizen files a
// general petition (15 working days) and an RTI request (30 calendar days,
// RTI Act s.7(1)) on Monday 3 August 2026, with 12 and 15 August holidays,
// each returned to the citizen on the 5th and answered on the 11th. The
// due dates are counted as each Act says, the days with the citizen move
// them on, and at each limit the file is not late to the second and
// appealable one second after; the appeal's own window closes to the
// second too.
func TestClock_WorkingAndCalendarDaysHolidaysAndDaysWithTheCitizen(t *testing.T) {
	c := (&clock{}).At("2026-08-03 10:00:00")
	app := open(t, c, "2026-08-12", "2026-08-15")
	meena := citizen(t, app, "9847022222", "Meena Joseph")

	pet := petition(t, app, meena)
	req := rti(t, app, meena, true)
	for _, tc := range []struct {
		name string
		f    workflow.File
		want string
	}{
		// 4,5,6,7, (8 second Saturday, 9 Sunday), 10, 11, (12 holiday), 13, 14,
		// (15 holiday), (16 Sunday), 17, 18, 19, 20, 21, 22 (fourth Saturday), 24.
		{"petition, 15 working days", pet, "2026-08-24"},
		// Every day counts: 3 August + 30.
		{"RTI, 30 calendar days", req, "2026-09-02"},
	} {
		if !tc.f.Due.Equal(dayEnd(tc.want)) {
			t.Errorf("%s: due %s, want the end of %s", tc.name, tc.f.Due.In(domain.IST), tc.want)
		}
	}
	if req.Fee != 0 || !strings.Contains(req.FeeNote.En, "s.7(5)") {
		t.Errorf("an RTI request from below the poverty line is charged %s (%q); the Act charges nothing", req.Fee, req.FeeNote.En)
	}
	if paying := rti(t, app, meena, false); paying.Fee != 1000 {
		t.Errorf("an RTI request above the poverty line is charged %s, want Rs 10", paying.Fee)
	}
	_, err := app.Workflow.Submit(meena, workflow.Submission{Service: "rti_application", Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T("Meena Joseph", "")},
		Values: map[string]string{"applicant_name_en": "Meena Joseph", "address": "Fort Road", "phone": "9847011111",
			"information_sought": "Copies of the work orders for street lights.", "below_poverty_line": "yes"}})
	if de, ok := err.(*domain.Error); !ok || de.Fields["bpl_proof"].En == "" {
		t.Errorf("free RTI without proof of being below the poverty line: %v", err)
	}

	// Both go back to the citizen on the 5th and come back on the 11th.
	c.At("2026-08-05 11:00:00")
	act(t, app, front, pet.ID, workflow.KindReturned, "Attach your ration card.")
	act(t, app, clerk, req.ID, workflow.KindReturned, "Attach your ration card.")
	c.At("2026-08-11 09:30:00")
	for _, tc := range []struct {
		id, want string
	}{
		// Away 6, 7, 10, 11: four working days on from the 24th.
		{pet.ID, "2026-08-28"},
		// Away six calendar days.
		{req.ID, "2026-09-08"},
	} {
		f, err := app.Workflow.Answer(meena, tc.id, "Ration card attached.", map[string]workflow.Upload{"card": scan})
		if err != nil {
			t.Fatal(err)
		}
		if !f.Due.Equal(dayEnd(tc.want)) {
			t.Errorf("%s answered: due %s, want the end of %s", f.Number, f.Due.In(domain.IST), tc.want)
		}
		if last := f.History[len(f.History)-1]; !last.Due.Equal(f.Due) {
			t.Errorf("%s: the answer's action records due %v, the file %v: the log cannot rebuild the clock", f.Number, last.Due, f.Due)
		}
	}

	// At the last second of the due day the petition is not late, and
	// there is nothing to appeal; one second later it is.
	c.Set(dayEnd("2026-08-28"))
	f, _ := app.Workflow.File(pet.ID)
	if f.Overdue(c.Now()) {
		t.Error("late at the last second of its due day")
	}
	if _, err := app.RTS.File(meena, pet.ID, "The street light is still out."); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("appeal before the limit: %v", err)
	}
	c.Add(time.Second)
	st, err := app.RTS.Standing(f)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Overdue(c.Now()) || st.Level != rts.First || st.Ground != rts.GroundOverdue || !st.Deadline.Equal(dayEnd("2026-09-27")) {
		t.Errorf("one second late: overdue %v, standing %+v; want a first appeal until the end of 27-09-2026", f.Overdue(c.Now()), st)
	}
	// The appeal window (30 calendar days, a LOCAL SETTING) closes to the second.
	c.Set(dayEnd("2026-09-27").Add(time.Second))
	_, err = app.RTS.File(meena, pet.ID, "The street light is still out.")
	if de, ok := err.(*domain.Error); !ok || !strings.Contains(de.Message, "time to appeal ended on 27-09-2026") || de.MessageML == "" {
		t.Errorf("appeal a second after the window: %v", err)
	}
	c.Set(dayEnd("2026-09-27"))
	if _, err := app.RTS.File(meena, pet.ID, "The street light is still out."); err != nil {
		t.Errorf("appeal at the window's last second: %v", err)
	}
}
