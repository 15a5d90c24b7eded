package licence

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// Clock is how the deemed-licence clock of a file stands (s.447(6): a
// complete application not decided in the days the law gives is deemed
// granted). The days are calendar days in IST after the day of
// submission; the days a file spent with its applicant, from the day it
// was returned for defects to the day they answered, do not run.
type Clock struct {
	Days    int  `json:"days"`    // the days that have run
	Stopped int  `json:"stopped"` // days with the applicant
	Running bool `json:"running"` // false while with the applicant, or decided
	// DeemedOn is the day ksmart grants it by itself if it is still
	// undecided then (YYYY-MM-DD), while the clock runs.
	DeemedOn string `json:"deemed_on,omitempty"`
	// Due reports whether the file's time has run out.
	Due bool `json:"due"`
}

// Deemable reports whether files of a service are deemed granted when
// the office does not decide them in time: the service's Right to Service
// notification says so (catalogue's rts.deemed, with its legal basis),
// and this module serves it, so it can enter what the law grants.
func (s *Licences) Deemable(service string) bool {
	if service != SvcNew && service != SvcRenewal {
		return false
	}
	return slices.Contains(s.Workflow.DeemedServices(), service)
}

// deemedLimit is a deemable service's time limit: the days after which
// the law grants it.
func (s *Licences) deemedLimit(service string) int {
	if svc, ok := s.Workflow.Catalogue.Get(service); ok && svc.RTS().Deemed {
		return svc.TimeLimitDays
	}
	return s.Schedule.Statutory.DeemedAfterDays
}

// ClockOf reads a file's clock on now's date.
func (s *Licences) ClockOf(f workflow.File, now time.Time) Clock {
	var c Clock
	returned := -1
	for _, a := range f.History {
		switch a.Kind {
		case workflow.KindReturned:
			returned = dayNumber(a.At)
		case workflow.KindResubmitted:
			if returned >= 0 {
				c.Stopped += dayNumber(a.At) - returned
				returned = -1
			}
		}
	}
	today := dayNumber(now)
	if returned >= 0 {
		c.Stopped += today - returned
	}
	c.Days = today - dayNumber(f.Submitted) - c.Stopped
	c.Running = f.Status == workflow.StatusInProgress
	limit := s.deemedLimit(f.Service)
	if c.Running {
		on := dayNumber(f.Submitted) + c.Stopped + limit + 1
		c.DeemedOn = time.Unix(int64(on)*86400, 0).UTC().Format(time.DateOnly)
		c.Due = c.Days > limit
	}
	return c
}

// desk names the officer whose desk held a file: the person it was
// forwarded to, else the last person who acted at that desk, else the
// only officer holding the desk's role.
func (s *Licences) desk(f workflow.File, days int) Desk {
	d := Desk{File: f.Number, Role: f.Role, Days: days}
	if f.EscalatedTo != "" {
		d.Role = f.EscalatedTo
	}
	if f.AssignedTo != "" && s.Identity != nil {
		if u, err := s.Identity.Get(f.AssignedTo); err == nil {
			d.OfficerID, d.OfficerName = u.ID, u.Name
			return d
		}
	}
	for i := len(f.History) - 1; i >= 0; i-- {
		if a := f.History[i]; a.Role == d.Role && a.ActorID != domain.System.ID {
			d.OfficerID, d.OfficerName = a.ActorID, a.ActorName
			return d
		}
	}
	if s.Identity != nil {
		if staff, err := s.Identity.StaffWith(d.Role); err == nil && len(staff) == 1 {
			d.OfficerID, d.OfficerName = staff[0].ID, staff[0].Name
		}
	}
	return d
}

// owes reports whether a file's fee is still unpaid: an application is
// complete, and its clock can run out, once its fee is paid.
func (s *Licences) owes(f workflow.File) (bool, error) {
	if s.Finance == nil {
		return false, nil
	}
	m, err := s.Finance.OfFile(f.ID)
	return m.Balance > 0, err
}

// DeemDue grants, by the system, every new-licence and renewal file whose
// clock has run out on now's date and whose fee is paid: the licence
// entered (or renewed) as deemed, its deemed-licence certificate printed,
// the file closed naming the desk that held it, the applicant told. Each
// file is deemed in its own write, which checks it is still undecided, so
// a job killed at any moment and run again deems each file once. It
// returns the licences deemed.
func (s *Licences) DeemDue(now time.Time) ([]string, error) {
	var deemable []string
	for _, code := range []string{SvcNew, SvcRenewal} {
		if s.Deemable(code) {
			deemable = append(deemable, code)
		}
	}
	if len(deemable) == 0 {
		return nil, nil
	}
	files, err := s.Workflow.InProgress(deemable...)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		clock := s.ClockOf(f, now)
		if !clock.Due {
			continue
		}
		if owes, err := s.owes(f); err != nil || owes {
			if err != nil {
				return out, err
			}
			continue
		}
		number, err := s.deem(f, clock, now)
		if errors.Is(err, workflow.ErrNotDeemed) {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("deeming %s: %w", f.Number, err)
		}
		out = append(out, number)
	}
	return out, nil
}

// deem grants one file by the system.
func (s *Licences) deem(f workflow.File, clock Clock, now time.Time) (string, error) {
	d := s.desk(f, clock.Days)
	var l, before Licence
	var r reserved
	if f.Service == SvcNew {
		var err error
		if r, err = s.reserve(now); err != nil {
			return "", err
		}
		l = s.fresh(f, r, now)
	} else {
		var err error
		var ok bool
		if before, ok, err = s.ByFile(f.ID); err != nil || !ok {
			return "", fmt.Errorf("renewal %s names no licence: %v", f.Number, err)
		}
		l = renewed(before, f, now)
	}
	l.Status, l.Deemed = StatusDeemed, &d
	c, pdf, err := s.draw(l, f.Number, domain.System.Name+" (s.447(6))", now)
	if err != nil {
		return "", err
	}
	name := d.OfficerName
	if name == "" {
		name = d.Role.Name().En
	}
	_, err = s.Workflow.Deem(f.ID, workflow.Deeming{OfficerID: d.OfficerID, OfficerName: d.OfficerName, Role: d.Role,
		Note:  fmt.Sprintf("Not decided in %d days (s.447(6)); deemed granted. The file was on the desk of %s (%s).", clock.Days, name, d.Role.Name().En),
		Still: func(cur workflow.File) bool { return s.ClockOf(cur, now).Due },
		Message: domain.T(
			fmt.Sprintf("Your application %s was not decided within %d days, so your licence %s is deemed granted under s.447(6). Download the deemed-licence certificate from the application's page.", f.Number, s.deemedLimit(f.Service), l.Number),
			fmt.Sprintf("നിങ്ങളുടെ അപേക്ഷ %s %d ദിവസത്തിനകം തീരുമാനിക്കാത്തതിനാൽ %s എന്ന ലൈസൻസ് 447(6) വകുപ്പ് പ്രകാരം അനുവദിച്ചതായി കണക്കാക്കി. സർട്ടിഫിക്കറ്റ് അപേക്ഷയുടെ പേജിൽ നിന്ന് ഡൗൺലോഡ് ചെയ്യാം.", f.Number, s.deemedLimit(f.Service), l.Number)),
		Apply: func(tx *store.Tx, file *workflow.File) error {
			facts, err := record(tx, &l, c, pdf)
			if err != nil {
				return err
			}
			facts["file"], facts["desk"] = f.Number, d
			if f.Service == SvcNew {
				if err := r.use(tx); err != nil {
					return err
				}
				if err := linkFile(tx, file.ID, l.ID); err != nil {
					return err
				}
				if err := s.put(tx, nil, &l, EventDeemed, domain.System, facts); err != nil {
					return err
				}
			} else {
				cur, err := getLicence(tx, before.ID)
				if err != nil {
					return err
				}
				if cur.Version != before.Version {
					return domain.Errorf(domain.ECONFLICT, "licence %s changed meanwhile", before.Number)
				}
				if err := s.put(tx, &cur, &l, EventDeemed, domain.System, facts); err != nil {
					return err
				}
			}
			file.Record = l.Number
			file.Issued = &workflow.IssuedDocument{Kind: catalogue.IssueTradeLicence, Number: c.Number,
				Title: domain.T("Deemed trade licence "+l.Year, "അനുവദിച്ചതായി കണക്കാക്കിയ ലൈസൻസ് "+l.Year), Blob: c.PDF}
			return nil
		}}, now)
	return l.Number, err
}

// Job is what one run of the day's job did.
type Job struct {
	Date      string   `json:"date"`
	Deemed    []string `json:"deemed"`
	Expired   int      `json:"expired"`
	Pending   int      `json:"renewal_pending"`
	Reminded  int      `json:"reminded"`
	MSMEEnded int      `json:"msme_exemptions_ended"`
}

// expiryBatch is how many licences one write of the expiry job changes.
const expiryBatch = 500

// Daily runs the day's job on now's date: deemed licences, licences whose
// year has ended (expired, or pending while their renewal is decided),
// renewal reminders, MSME exemptions that ended. Every part is
// idempotent; running it twice a day does nothing more.
func (s *Licences) Daily(now time.Time) (Job, error) {
	job := Job{Date: dateOf(now)}
	var err error
	if job.Deemed, err = s.DeemDue(now); err != nil {
		return job, err
	}
	if job.Expired, job.Pending, err = s.expire(now); err != nil {
		return job, err
	}
	if job.Reminded, err = s.remind(now); err != nil {
		return job, err
	}
	if job.MSMEEnded, err = s.endExemptions(now); err != nil {
		return job, err
	}
	_, err = s.Store.Write(func(tx *store.Tx) error {
		if err := tx.Put(entityJob, job.Date, job); err != nil {
			return err
		}
		return tx.Emit(domain.System.ID, EventJob, entityJob, job.Date, job)
	})
	return job, err
}

// expire marks every licence in force whose year ended before now's date
// as expired, or pending when its renewal is being decided, a batch a
// write.
func (s *Licences) expire(now time.Time) (expired, pending int, err error) {
	today := dateOf(now)
	for {
		var ids []string
		err := s.Store.View(func(tx *store.Tx) error {
			return tx.Scan(entityExpiry, store.ScanOptions{Limit: expiryBatch * 2}, func(k string, _ []byte) error {
				if k[:10] >= today || len(ids) == expiryBatch {
					return store.ErrStop
				}
				ids = append(ids, k[11:])
				return nil
			})
		})
		if err != nil && !errors.Is(err, store.ErrStop) {
			return expired, pending, err
		}
		if len(ids) == 0 {
			return expired, pending, nil
		}
		var e, p int
		_, err = s.Store.Write(func(tx *store.Tx) error {
			e, p = 0, 0
			for _, id := range ids {
				l, err := getLicence(tx, id)
				if err != nil {
					return err
				}
				if l.ValidTo >= today || (l.Status != StatusActive && l.Status != StatusDeemed) {
					continue
				}
				before := l
				typ := EventExpired
				l.Status = StatusExpired
				if l.Renewal != "" {
					l.Status, typ = StatusPending, EventRenewalPending
					p++
				} else {
					e++
				}
				if err := s.put(tx, &before, &l, typ, domain.System, map[string]any{"on": today}); err != nil {
					return err
				}
				// A licence that has ended leaves the index of those in
				// force: pending ones stay, to be found by their renewal.
				if l.Status == StatusPending {
					if err := tx.Delete(entityExpiry, l.ValidTo+"/"+l.ID); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return expired, pending, err
		}
		expired, pending = expired+e, pending+p
	}
}

// remind tells each holder with an account, once in each of the
// schedule's windows before their licence's year ends, to renew it.
func (s *Licences) remind(now time.Time) (int, error) {
	n := 0
	for _, days := range s.Schedule.Local.ReminderDays {
		ls, err := s.Expiring(days)
		if err != nil {
			return n, err
		}
		var due []Licence
		err = s.Store.View(func(tx *store.Tx) error {
			for _, l := range ls {
				if l.Holder.UserID != "" && !tx.Exists(entityReminded, fmt.Sprintf("%s/%s/%d", l.ID, l.ValidTo, days)) {
					due = append(due, l)
				}
			}
			return nil
		})
		if err != nil || len(due) == 0 {
			if err != nil {
				return n, err
			}
			continue
		}
		_, err = s.Store.Write(func(tx *store.Tx) error {
			for _, l := range due {
				key := fmt.Sprintf("%s/%s/%d", l.ID, l.ValidTo, days)
				if tx.Exists(entityReminded, key) {
					continue
				}
				if err := tx.PutRaw(entityReminded, key, []byte(`""`)); err != nil {
					return err
				}
				next, _ := ParseYear(l.Year)
				if err := queueReminder(tx, now, l, YearLabel(next+1)); err != nil {
					return err
				}
				if err := tx.Emit(domain.System.ID, EventReminded, entityLicence, l.ID, map[string]any{"valid_to": l.ValidTo, "days_before": days}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(due)
	}
	return n, nil
}

// RunJobs runs the day's job every interval until stop closes.
func (s *Licences) RunJobs(interval time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if job, err := s.Daily(s.Now()); err != nil {
			s.Logger.Error("licences: the day's job", "err", err)
		} else if len(job.Deemed)+job.Expired+job.Pending+job.Reminded+job.MSMEEnded > 0 {
			s.Logger.Info("licences: the day's job", "deemed", len(job.Deemed), "expired", job.Expired, "pending", job.Pending, "reminded", job.Reminded, "msme_ended", job.MSMEEnded)
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}
