package files

import (
	"encoding/json"
	"fmt"
	"time"

	"ksmart/appliance/module"
	"ksmart/appliance/rts"
	"ksmart/appliance/workflow"
)

// counter is countFiles kept as writes arrive: each file and appeal
// contributes on its own, and open files that can fall overdue are kept
// as a histogram of their due times, so "overdue" is reckoned when read.
var counter = &module.Counter{
	Version:  1,
	Entities: []string{workflow.FileEntity, rts.AppealEntity},
	Keep:     keepFile,
	Part:     fileContribution,
	Read:     readFiles,
}

// The sums' names of files.
const (
	sumDue             = "files.due" // open files with the office, by due time
	sumApplicationsMon = "files.applications@"
	sumDecidedMon      = "files.decided@"
	sumOnTimeMon       = "files.on_time@"
)

// keptFile is what the counters keep of a file: what countFiles reads.
type keptFile struct {
	Submitted time.Time `json:"s"`
	Due       time.Time `json:"u"`
	Decided   time.Time `json:"d,omitzero"`
	Status    string    `json:"st"`
	ByOffice  bool      `json:"o,omitempty"`
}

func keepFile(entity, id string, doc []byte) (string, []byte, error) {
	if entity == rts.AppealEntity {
		var a rts.Appeal
		if err := json.Unmarshal(doc, &a); err != nil {
			return "", nil, fmt.Errorf("appeal %s: %w", id, err)
		}
		if a.Decision != nil && a.Decision.Penalty != "" {
			return module.OwnGroup(entity, id), []byte("p"), nil
		}
		return module.OwnGroup(entity, id), []byte("-"), nil
	}
	var f workflow.File
	if err := json.Unmarshal(doc, &f); err != nil {
		return "", nil, fmt.Errorf("file %s: %w", id, err)
	}
	_, byOffice := f.Decision()
	kept, err := json.Marshal(keptFile{Submitted: f.Submitted, Due: f.Due, Decided: f.Decided, Status: f.Status, ByOffice: byOffice})
	return module.OwnGroup(entity, id), kept, err
}

func fileContribution(_ string, kept []module.Kept, c *module.Contribution) error {
	for _, k := range kept {
		if k.Entity == rts.AppealEntity {
			c.Add(FigureAppeals, 1)
			if string(k.Data) == "p" {
				c.Add(FigurePenalties, 1)
			}
			continue
		}
		var kf keptFile
		if err := json.Unmarshal(k.Data, &kf); err != nil {
			return err
		}
		f := workflow.File{Submitted: kf.Submitted, Due: kf.Due, Decided: kf.Decided, Status: kf.Status}
		if !f.Decided.IsZero() && !kf.ByOffice {
			c.Add(FigureDeemed, 1)
		}
		c.Add(FigureApplications, 1)
		c.AddMonth(sumApplicationsMon, f.Submitted)
		if f.Open() {
			c.Add(FigurePending, 1)
		}
		// Overdue(now) is Open, not returned, and now after Due: all but
		// the time is known now.
		if f.Overdue(f.Due.Add(time.Nanosecond)) {
			c.AddTime(sumDue, f.Due, 1)
		}
		if !f.Decided.IsZero() {
			c.Add(FigureDecided, 1)
			c.AddMonth(sumDecidedMon, f.Decided)
			if !f.Decided.After(f.Due) {
				c.Add(FigureOnTime, 1)
				c.AddMonth(sumOnTimeMon, f.Decided)
			}
		}
	}
	return nil
}

// readFiles fills the tally as countFiles does: appeals and penalties
// always, every other count only when some file added to it.
func readFiles(s *module.Sums, t *module.Tally) {
	t.Add(FigureAppeals, int(s.Get(FigureAppeals, "")))
	t.Add(FigurePenalties, int(s.Get(FigurePenalties, "")))
	for _, k := range []string{FigureDeemed, FigureApplications, FigurePending} {
		if n := s.Get(k, ""); n > 0 {
			t.Add(k, int(n))
		}
	}
	if n := s.Before(sumDue, t.At); n > 0 {
		t.Add(FigureOverdue, int(n))
	}
	for _, k := range []string{FigureDecided, FigureOnTime} {
		if n := s.Get(k, ""); n > 0 {
			t.Add(k, int(n))
		}
	}
	t.AddMonths(FigureApplications, s, sumApplicationsMon)
	t.AddMonths(FigureDecided, s, sumDecidedMon)
	t.AddMonths(FigureOnTime, s, sumOnTimeMon)
}
