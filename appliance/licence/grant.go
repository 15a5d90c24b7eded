package licence

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// A decision changes the register in the write that approves the file, so
// the file and the register never disagree: a new licence is numbered and
// entered, a renewal extends the licence to the year asked for, an
// amendment or a transfer changes it, a surrender ends it. Issuing prints
// the licence certificate (or the surrender's order). A deemed licence
// does both in the one write by the system (deemed.go).

// reserved is a new licence's id and number, reserved before the write.
type reserved struct {
	id, number string
	sequence   string
	serial     uint64
	idSerial   uint64
}

func (s *Licences) reserve(now time.Time) (reserved, error) {
	id, err := s.Store.Reserve("licence")
	if err != nil {
		return reserved{}, err
	}
	year := now.In(domain.IST).Year()
	seq := fmt.Sprintf("licence/%s/%d", s.LocalBody.Code, year)
	n, err := s.Store.Reserve(seq)
	if err != nil {
		return reserved{}, err
	}
	return reserved{id: fmt.Sprintf("%010d", id), number: fmt.Sprintf("%s-TL-%d-%d", s.LocalBody.Code, year, n), sequence: seq, serial: n, idSerial: id}, nil
}

func (r reserved) use(tx *store.Tx) error {
	if err := tx.UseNumber("licence", r.idSerial); err != nil {
		return err
	}
	return tx.UseNumber(r.sequence, r.serial)
}

// fresh is the licence a new-licence file asks for, granted now for the
// financial year of now.
func (s *Licences) fresh(f workflow.File, r reserved, now time.Time) Licence {
	v := f.Values
	c, _ := s.Schedule.Category(v["trade_type"])
	capacity, _ := capacity(c, v)
	hp, _ := strconv.ParseFloat(v["machinery_hp"], 64)
	ward, _ := strconv.Atoi(v["ward"])
	from, to := yearDates(FinancialYear(now))
	if d := dateOf(now); d > from {
		from = d
	}
	premises := strings.ToUpper(strings.TrimSpace(v["building_number"]))
	if p, err := s.Premises(premises, 0); err == nil {
		premises = p.Building.Number
	}
	h := Holder{Name: domain.T(v["owner_name_en"], v["owner_name_ml"]), Phone: v["phone"], Address: v["owner_address"]}
	if f.Channel == workflow.ChannelOnline {
		h.UserID = f.Applicant.UserID
	}
	return Licence{ID: r.id, Number: r.number, Status: StatusActive, Category: c.Code, TradeName: v["trade_name"], Description: v["trade_description"],
		Measure: c.Measure, Capacity: capacity, HP: int64(hp), Premises: premises, Ward: ward, Holder: h, Partners: v["partners"],
		Year: YearLabel(FinancialYear(now)), ValidFrom: from, ValidTo: to, Fee: f.Fee, Started: v["trade_started_on"], MSME: strings.ToUpper(strings.TrimSpace(v["msme_acknowledgement"])),
		First: now, Granted: now, File: f.Number}
}

// renewed is l renewed by the renewal file f, granted now.
func renewed(l Licence, f workflow.File, now time.Time) Licence {
	y, _ := ParseYear(f.Values["financial_year"])
	l.Year = YearLabel(y)
	l.ValidFrom, l.ValidTo = yearDates(y)
	if c := f.Values[l.Measure]; c != "" {
		if n, err := strconv.ParseFloat(c, 64); err == nil {
			l.Capacity = int64(n + 0.5)
		}
	}
	l.Status, l.Fee, l.Granted, l.File, l.Renewal, l.Deemed = StatusActive, f.Fee, now, f.Number, "", nil
	return l
}

// changed is l as an amendment, a transfer or a surrender leaves it.
func (s *Licences) changed(l Licence, f workflow.File, by domain.Actor, now time.Time) (Licence, store.EventType) {
	v := f.Values
	switch f.Service {
	case SvcAmendment:
		if v["trade_type"] != "" {
			l.Category = v["trade_type"]
		}
		if v["trade_name"] != "" {
			l.TradeName = v["trade_name"]
		}
		if v["trade_description"] != "" {
			l.Description = v["trade_description"]
		}
		if v["partners"] != "" {
			l.Partners = v["partners"]
		}
		c, _ := s.Schedule.Category(l.Category)
		l.Measure = c.Measure
		if n, err := capacity(c, v); err == nil && v[c.Measure] != "" {
			l.Capacity = n
		}
		if n, err := strconv.ParseFloat(v["machinery_hp"], 64); err == nil {
			l.HP = int64(n + 0.5)
		}
		l.Fee += f.Fee
		return l, EventAmended
	case SvcTransfer:
		l.Holder = Holder{Name: domain.T(v["new_licensee_en"], v["new_licensee_ml"]), Phone: v["phone"], Address: v["new_licensee_address"]}
		if f.Channel == workflow.ChannelOnline && sameName(f.Applicant.Name.En, v["new_licensee_en"]) {
			l.Holder.UserID = f.Applicant.UserID
		}
		return l, EventTransferred
	case SvcSurrender:
		l.Status = StatusCancelled
		l.Order = &Order{Kind: "surrendered", Reasons: v["reason"], At: now, By: by.ID, ByName: by.Name, File: f.Number}
		return l, EventSurrendered
	}
	return l, EventAmended
}

// Prepare applies a decision to the register, or prints what a file
// issues. It implements workflow.Rules.
func (s *Licences) Prepare(pr workflow.Preparing) (workflow.Apply, error) {
	f := pr.File
	switch pr.Kind {
	case workflow.KindApproved:
		if f.Service == SvcNew {
			r, err := s.reserve(pr.Now)
			if err != nil {
				return nil, err
			}
			l := s.fresh(f, r, pr.Now)
			return func(tx *store.Tx, f *workflow.File) error {
				if err := r.use(tx); err != nil {
					return err
				}
				if err := linkFile(tx, f.ID, l.ID); err != nil {
					return err
				}
				f.Record = l.Number
				return s.put(tx, nil, &l, EventGranted, pr.By, map[string]any{"file": f.Number})
			}, nil
		}
		return func(tx *store.Tx, f *workflow.File) error {
			var id string
			if err := tx.Get(entityFile, f.ID, &id); err != nil {
				return err
			}
			l, err := getLicence(tx, id)
			if err != nil {
				return err
			}
			before := l
			typ := EventRenewed
			if f.Service == SvcRenewal {
				l = renewed(l, *f, pr.Now)
			} else {
				l, typ = s.changed(l, *f, pr.By, pr.Now)
			}
			f.Record = l.Number
			return s.put(tx, &before, &l, typ, pr.By, map[string]any{"file": f.Number, "note": pr.Note})
		}, nil
	case workflow.KindIssued:
		return s.prepareIssue(pr)
	}
	return nil, nil
}

// prepareIssue prints the licence as the decision left it, or the order
// of a surrender.
func (s *Licences) prepareIssue(pr workflow.Preparing) (workflow.Apply, error) {
	f := pr.File
	decision, ok := f.Decision()
	if !ok || decision.Kind != workflow.KindApproved {
		return nil, domain.Errorf(domain.ECONFLICT, "file %s is not approved; it cannot be issued", f.Number)
	}
	l, _, err := s.ByFile(f.ID)
	if err != nil {
		return nil, err
	}
	if f.Service == SvcSurrender {
		pdf, err := s.Documents.Letter(documents.Letter{LocalBody: s.LocalBody, Number: f.Number, Reference: f.Number, Officer: decision.ActorName,
			OfficerTitle: officerTitle, Issued: pr.Now, StatusURL: workflow.StatusURL(s.PublicURL(), f.Number),
			Title: domain.T("Order accepting the surrender of a trade licence", "വ്യാപാര ലൈസൻസ് തിരിച്ചേൽപ്പിക്കൽ അംഗീകരിച്ച ഉത്തരവ്"),
			Rows: []documents.LetterRow{
				{Label: domain.T("Licence", "ലൈസൻസ്"), Value: domain.Text{En: l.Number}},
				{Label: domain.T("Establishment", "സ്ഥാപനം"), Value: domain.Text{En: l.TradeName}},
				{Label: domain.T("Licensee", "ലൈസൻസി"), Value: l.Holder.Name},
			},
			Body: "The licence above is surrendered and stands cancelled from the date of this order; no fee is demanded for the years after it.\n\nമുകളിലെ ലൈസൻസ് തിരിച്ചേൽപ്പിച്ചു; ഈ ഉത്തരവിന്റെ തീയതി മുതൽ റദ്ദായി. തുടർന്നുള്ള വർഷങ്ങൾക്ക് ഫീസ് ഇല്ല."})
		if err != nil {
			return nil, err
		}
		sum := store.SumBlob(pdf)
		return func(tx *store.Tx, f *workflow.File) error {
			if err := tx.PutSummedBlob(sum, pdf); err != nil {
				return err
			}
			f.Issued = &workflow.IssuedDocument{Kind: catalogue.IssueOrder, Number: f.Number, Title: domain.T("Surrender order", "തിരിച്ചേൽപ്പിക്കൽ ഉത്തരവ്"), Blob: sum}
			return nil
		}, nil
	}
	c, pdf, err := s.draw(l, f.Number, decision.ActorName, pr.Now)
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx, f *workflow.File) error {
		cur, err := getLicence(tx, l.ID)
		if err != nil {
			return err
		}
		if cur.Version != l.Version {
			return domain.Errorf(domain.ECONFLICT, "Licence %s changed while its certificate was being printed; issue it again.", l.Number)
		}
		before := cur
		facts, err := record(tx, &cur, c, pdf)
		if err != nil {
			return err
		}
		f.Issued = &workflow.IssuedDocument{Kind: catalogue.IssueTradeLicence, Number: c.Number, Title: domain.T("Trade licence "+l.Year, "വ്യാപാര ലൈസൻസ് "+l.Year), Blob: c.PDF}
		return s.put(tx, &before, &cur, EventCertified, pr.By, facts)
	}, nil
}
