package building

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// Inspection is an overseer's visit to the site of a file: what they
// found, where they stood, and the photos they took.
type Inspection struct {
	File      string    `json:"file"`
	Seq       int       `json:"seq"`
	By        string    `json:"by"`
	ByName    string    `json:"by_name"`
	At        time.Time `json:"at"`
	Latitude  float64   `json:"latitude"`
	Longitude float64   `json:"longitude"`
	Findings  string    `json:"findings"`
	// Photos are the photos' blobs (SHA-256), JPEG or PNG.
	Photos []string `json:"photos"`
}

// InspectionInput is what the overseer records at the site.
type InspectionInput struct {
	Latitude, Longitude float64
	Findings            string
	Photos              [][]byte
}

// MaxPhotos is how many photos one inspection keeps.
const MaxPhotos = 6

// Kerala's extent, in degrees: a location outside it is a mistake (a
// phone's last fix elsewhere, latitude and longitude swapped).
const (
	minLat, maxLat = 8.1, 12.85
	minLon, maxLon = 74.8, 77.45
)

// deskFile reads a building file that must be on role's desk, with by
// holding that role in the file's ward.
func (m *Permits) deskFile(by domain.Actor, fileID string, role domain.Role) (workflow.File, error) {
	f, err := m.Workflow.File(fileID)
	if err != nil {
		return f, err
	}
	if f.Service != SvcPermit && f.Service != SvcOccupancy && f.Service != SvcLowRisk {
		return f, domain.Bilingual(domain.EINVALID, domain.T("This file is not a building permit or occupancy file.", "ഇത് കെട്ടിട പെർമിറ്റ് ഫയലല്ല."))
	}
	if !by.Has(role) {
		return f, domain.Bilingual(domain.EFORBIDDEN, domain.T("Only the "+role.Name().En+" records this.", role.Name().Ml+" മാത്രമേ ഇത് രേഖപ്പെടുത്തൂ."))
	}
	if len(by.Wards) > 0 && !containsInt(by.Wards, f.Ward) {
		return f, domain.Bilingual(domain.EFORBIDDEN, domain.T(fmt.Sprintf("This file belongs to ward %d, which is not one of yours.", f.Ward), fmt.Sprintf("ഈ ഫയൽ വാർഡ് %d-ലേതാണ്.", f.Ward)))
	}
	if f.Status != workflow.StatusInProgress || f.Role != role {
		return f, domain.Bilingual(domain.ECONFLICT, domain.T("This file is not on the "+role.Name().En+"'s desk now.", "ഈ ഫയൽ ഇപ്പോൾ "+role.Name().Ml+"-ന്റെ പക്കലല്ല."))
	}
	return f, nil
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Inspect records the overseer's site inspection of a file on their desk:
// findings, the location (within Kerala) and 1 to MaxPhotos photos (JPEG
// or PNG, each up to workflow.MaxUploadBytes). Every problem is refused
// field by field and nothing is written.
func (m *Permits) Inspect(by domain.Actor, fileID string, in InspectionInput) (Inspection, error) {
	f, err := m.deskFile(by, fileID, domain.RoleOverseer)
	if err != nil {
		return Inspection{}, err
	}
	fe := domain.FieldErrors{}
	if in.Latitude < minLat || in.Latitude > maxLat || in.Longitude < minLon || in.Longitude > maxLon {
		fe.Add("location", domain.T(fmt.Sprintf("The location %.5f, %.5f is not in Kerala: give the site's latitude and longitude (e.g. 9.98110, 76.27990).", in.Latitude, in.Longitude),
			"സ്ഥലം കേരളത്തിലല്ല: സൈറ്റിന്റെ അക്ഷാംശവും രേഖാംശവും നൽകുക (ഉദാ. 9.98110, 76.27990)."))
	}
	findings := strings.TrimSpace(in.Findings)
	if n := utf8.RuneCountInString(findings); n < 10 || n > 2000 {
		fe.Add("findings", domain.T("Write what you found at the site (10 to 2,000 characters).", "സ്ഥലത്ത് കണ്ടത് എഴുതുക (10 മുതൽ 2,000 അക്ഷരം വരെ)."))
	}
	if len(in.Photos) == 0 || len(in.Photos) > MaxPhotos {
		fe.Add("photos", domain.T(fmt.Sprintf("Attach 1 to %d photos of the site.", MaxPhotos), fmt.Sprintf("സ്ഥലത്തിന്റെ 1 മുതൽ %d വരെ ഫോട്ടോകൾ ചേർക്കുക.", MaxPhotos)))
	}
	for i, ph := range in.Photos {
		ct := http.DetectContentType(ph)
		if len(ph) > workflow.MaxUploadBytes || (ct != "image/jpeg" && ct != "image/png") {
			fe.Add("photos", domain.T(fmt.Sprintf("Photo %d is not a JPEG or PNG of at most %d MB.", i+1, workflow.MaxUploadBytes>>20), fmt.Sprintf("%d-ാം ഫോട്ടോ %d MB-ൽ താഴെയുള്ള JPEG/PNG അല്ല.", i+1, workflow.MaxUploadBytes>>20)))
		}
	}
	if err := fe.Err(); err != nil {
		return Inspection{}, err
	}
	ins := Inspection{File: f.Number, By: by.ID, ByName: by.Name, At: m.Now(), Latitude: in.Latitude, Longitude: in.Longitude, Findings: findings}
	sums := make([]string, len(in.Photos))
	for i, ph := range in.Photos {
		sums[i] = store.SumBlob(ph)
	}
	ins.Photos = sums
	_, err = m.Store.Write(func(tx *store.Tx) error {
		ins.Seq = 1
		if err := tx.Scan(entityInspection, store.ScanOptions{Prefix: f.ID + "/"}, func(string, []byte) error { ins.Seq++; return nil }); err != nil {
			return err
		}
		for i, ph := range in.Photos {
			if err := tx.PutSummedBlob(sums[i], ph); err != nil {
				return err
			}
		}
		id := fmt.Sprintf("%s/%03d", f.ID, ins.Seq)
		if err := tx.Put(entityInspection, id, ins); err != nil {
			return err
		}
		return tx.Emit(by.ID, EventInspected, entityInspection, id, ins)
	})
	return ins, err
}

func inspectionsIn(tx *store.Tx, fileID string) ([]Inspection, error) {
	var out []Inspection
	err := tx.Scan(entityInspection, store.ScanOptions{Prefix: fileID + "/"}, func(_ string, raw []byte) error {
		var i Inspection
		if err := jsonUnmarshal(raw, &i); err != nil {
			return err
		}
		out = append(out, i)
		return nil
	})
	return out, err
}

// Report is the assistant engineer's scrutiny report on a permit file:
// the plan's figures as verified against the drawings and the site, every
// check on them, and the engineer's remarks.
type Report struct {
	File    string    `json:"file"`
	By      string    `json:"by"`
	ByName  string    `json:"by_name"`
	At      time.Time `json:"at"`
	Plan    Plan      `json:"plan"`
	Result  Result    `json:"result"`
	Remarks string    `json:"remarks"`
}

// ReportScrutiny records the assistant engineer's scrutiny report on a
// permit file on their desk: the figures verified (the application's, as
// corrected), scrutinised again, with remarks. A later report replaces an
// earlier one; each is in the log.
func (m *Permits) ReportScrutiny(by domain.Actor, fileID string, plan Plan, remarks string) (Report, error) {
	f, err := m.deskFile(by, fileID, domain.RoleAssistantEngineer)
	if err != nil {
		return Report{}, err
	}
	if f.Service != SvcPermit {
		return Report{}, domain.Bilingual(domain.EINVALID, domain.T("Scrutiny reports are written on building permit files.", "പരിശോധനാ റിപ്പോർട്ട് കെട്ടിട പെർമിറ്റ് ഫയലിലാണ്."))
	}
	plan.LocalBodyKind = m.LocalBody.Kind
	res, err := m.Rules.Scrutinise(plan)
	if err != nil {
		return Report{}, err
	}
	remarks = strings.TrimSpace(remarks)
	if n := utf8.RuneCountInString(remarks); n < 5 || n > 2000 {
		return Report{}, fieldErr("remarks", domain.T("Write your remarks on the plan (5 to 2,000 characters).", "പ്ലാനിനെക്കുറിച്ചുള്ള അഭിപ്രായം എഴുതുക."))
	}
	_ = m.Rules.Validate(&plan)
	rep := Report{File: f.Number, By: by.ID, ByName: by.Name, At: m.Now(), Plan: plan, Result: res, Remarks: remarks}
	_, err = m.Store.Write(func(tx *store.Tx) error {
		if err := tx.Put(entityReport, f.ID, rep); err != nil {
			return err
		}
		return tx.Emit(by.ID, EventScrutinyReported, entityReport, f.ID, rep)
	})
	return rep, err
}

// FileRecords are a file's inspections and scrutiny report, for its page.
type FileRecords struct {
	Inspections []Inspection
	Report      *Report
	Permit      *Permit
}

// OfFile reads what the module recorded on a file. The caller has checked
// that its actor may read the file.
func (m *Permits) OfFile(fileID string) (FileRecords, error) {
	var out FileRecords
	err := m.Store.View(func(tx *store.Tx) (err error) {
		if out.Inspections, err = inspectionsIn(tx, fileID); err != nil {
			return err
		}
		var rep Report
		if err := tx.Get(entityReport, fileID, &rep); err == nil {
			out.Report = &rep
		}
		if number, err := tx.Lookup(indexByFile, fileID); err == nil {
			var p Permit
			if err := tx.Get(entityPermit, number, &p); err == nil {
				out.Permit = &p
			}
		}
		return nil
	})
	return out, err
}

// Scrutiny of a file's own figures as submitted, for its page.
func (m *Permits) Scrutiny(f workflow.File) (Result, error) {
	return m.Rules.Scrutinise(m.planOf(f.Values))
}
