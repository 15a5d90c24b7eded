package licence

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// The services the module serves.
const (
	SvcNew       = "dando_licence"
	SvcRenewal   = "dando_licence_renewal"
	SvcTransfer  = "licence_transfer"
	SvcAmendment = "licence_amendment"
	SvcSurrender = "licence_surrender"
)

// serves decides which trade_licence services this module serves: a new
// licence, its renewal, amendment, transfer and surrender. Their fees
// are reckoned here and paid with the application (the clock of a deemed
// licence runs only on a complete application).
func serves(svc catalogue.Service) error {
	switch svc.Code {
	case SvcNew, SvcRenewal, SvcTransfer, SvcAmendment:
		if svc.Fee.Kind != catalogue.FeeComputed || svc.Issues != catalogue.IssueTradeLicence || svc.Fee.Pay != catalogue.PayOnApplication {
			return fmt.Errorf("service %s: the licence module reckons its fee (computed, paid on application) and issues a trade_licence", svc.Code)
		}
		if svc.Code == SvcNew {
			sch, err := DefaultSchedule()
			if err != nil {
				return err
			}
			for _, f := range svc.Fields {
				if f.Name != "trade_type" {
					continue
				}
				for _, c := range f.Choices {
					if _, ok := sch.Category(c.Value); !ok {
						return fmt.Errorf("service %s: trade_type %q has no category in the fee schedule", svc.Code, c.Value)
					}
				}
			}
		}
	case SvcSurrender:
		if svc.Fee.Kind != catalogue.FeeNone || svc.Issues != catalogue.IssueOrder {
			return fmt.Errorf("service %s: a surrender is free and issues an order", svc.Code)
		}
	case "private_hospital_licence":
		return module.NotServed(domain.T("apply for a D&O trade licence with the trade \"Hospital or clinic\".", "\"ആശുപത്രി / ക്ലിനിക്\" എന്ന വ്യാപാരമായി ഡി & ഒ ലൈസൻസിന് അപേക്ഷിക്കുക."))
	default:
		return module.NotServed(domain.T("its rules are still being written.", "ഇതിന്റെ ചട്ടങ്ങൾ ഇനിയും തയ്യാറാക്കുന്നു."))
	}
	return nil
}

func fieldErr(field string, t domain.Text) error { return domain.FieldErrors{field: t}.Err() }

// capacity reads a category's capacity from the form.
func capacity(c Category, v map[string]string) (int64, error) {
	raw := strings.TrimSpace(v[c.Measure])
	n, err := strconv.ParseFloat(raw, 64)
	if raw == "" || err != nil || n < 0 {
		m := MeasureName(c.Measure)
		return 0, fieldErr(c.Measure, domain.T("Give the "+m.En+" of the trade, a whole number.", "വ്യാപാരത്തിന്റെ "+m.Ml+" ഒരു പൂർണ്ണ സംഖ്യയായി നൽകുക."))
	}
	return int64(n + 0.5), nil
}

// Premises is a licence's building as the property tax register has it,
// with what it still owes.
type Premises struct {
	Building propertytax.Building
	// Arrears is the tax and interest owed on half-years already due.
	Arrears domain.Paise
}

// Premises reads a building number as premises: it must be in the
// register, standing, in the ward given (0: any). Errors name the field
// building_number (or ward) in both languages.
func (s *Licences) Premises(number string, ward int) (Premises, error) {
	if s.PropertyTax == nil {
		return Premises{}, domain.Errorf(domain.EINTERNAL, "licence: no property tax register to check premises against")
	}
	b, err := s.PropertyTax.Building(number)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && (de.Code == domain.ENOTFOUND || de.Code == domain.EINVALID) {
			msg := domain.Text{En: de.Message, Ml: de.MessageML}
			if t, ok := de.Fields["number"]; ok {
				msg = t
			}
			return Premises{}, fieldErr("building_number", msg)
		}
		return Premises{}, err
	}
	if b.Status != propertytax.StatusActive {
		return Premises{}, fieldErr("building_number", domain.T(
			fmt.Sprintf("Building %s is no longer standing in the register (%s); a trade needs premises that are.", b.Number, b.Status),
			fmt.Sprintf("%s എന്ന കെട്ടിടം രജിസ്റ്ററിൽ നിലവിലില്ല; വ്യാപാരത്തിന് നിലവിലുള്ള കെട്ടിടം വേണം.", b.Number)))
	}
	if ward != 0 && ward != b.Ward {
		return Premises{}, fieldErr("ward", domain.T(fmt.Sprintf("Building %s is in ward %d, not ward %d.", b.Number, b.Ward, ward),
			fmt.Sprintf("%s എന്ന കെട്ടിടം %d-ാം വാർഡിലാണ്, %d-ൽ അല്ല.", b.Number, b.Ward, ward)))
	}
	p := Premises{Building: b}
	dues, err := s.PropertyTax.Dues(b.ID)
	if err != nil {
		return Premises{}, err
	}
	today := dateOf(s.Now())
	for _, d := range dues {
		if d.DueDate < today {
			p.Arrears += d.Balance
		}
	}
	if s.Schedule.Local.RequirePropertyTaxPaid && p.Arrears > 0 {
		return p, fieldErr("building_number", domain.T(
			fmt.Sprintf("Building %s owes %s of property tax already due; this local body grants licences only for premises whose tax is paid. Pay it under Property tax, then apply.", b.Number, p.Arrears),
			fmt.Sprintf("%s എന്ന കെട്ടിടത്തിന് %s വസ്തു നികുതി കുടിശ്ശികയുണ്ട്; നികുതി അടച്ച കെട്ടിടങ്ങൾക്കേ ഈ തദ്ദേശ സ്ഥാപനം ലൈസൻസ് നൽകൂ. വസ്തു നികുതിയിൽ അടച്ച ശേഷം അപേക്ഷിക്കുക.", b.Number, p.Arrears)))
	}
	return p, nil
}

// mine reads the licence an application names, and checks that the
// applicant holds it: online, the holder's own account (or their verified
// mobile number); at the counter, the holder's name as the register has it.
func (s *Licences) mine(a workflow.Assessing) (Licence, error) {
	l, err := s.Licence(a.Values["licence_number"])
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.ENOTFOUND {
			return Licence{}, fieldErr("licence_number", domain.T(de.Message, de.MessageML))
		}
		return Licence{}, err
	}
	someoneElse := fieldErr("licence_number", domain.T(
		fmt.Sprintf("Licence %s is not held by you. Only its holder (%s) may apply on it; a new owner of the business applies for its transfer.", l.Number, l.Holder.Name.En),
		fmt.Sprintf("%s എന്ന ലൈസൻസ് നിങ്ങളുടേതല്ല. ലൈസൻസി (%s) മാത്രമേ അപേക്ഷിക്കാവൂ; സ്ഥാപനത്തിന്റെ പുതിയ ഉടമ ലൈസൻസ് മാറ്റത്തിന് അപേക്ഷിക്കുക.", l.Number, l.Holder.Name.Ml)))
	holder := a.Values["owner_name_en"]
	if a.Service.Code == SvcTransfer {
		holder = a.Values["present_licensee_en"]
	}
	switch {
	case a.Channel == workflow.ChannelOnline && a.Service.Code != SvcTransfer:
		if l.Holder.UserID != "" && l.Holder.UserID == a.By.ID {
			return l, nil
		}
		if l.Holder.UserID == "" && s.Identity != nil {
			if u, err := s.Identity.Get(a.By.ID); err == nil && u.Verified && samePhone(u.Phone, l.Holder.Phone) {
				return l, nil
			}
		}
		return Licence{}, someoneElse
	default:
		if !sameName(l.Holder.Name.En, holder) {
			return Licence{}, someoneElse
		}
	}
	return l, nil
}

// sameName compares names without case, spaces or dots.
func sameName(a, b string) bool {
	norm := func(s string) string {
		var out []rune
		for _, r := range strings.ToLower(s) {
			if r != ' ' && r != '.' && r != ',' {
				out = append(out, r)
			}
		}
		return string(out)
	}
	return a != "" && norm(a) == norm(b)
}

// samePhone compares Indian mobile numbers by their last ten digits.
func samePhone(a, b string) bool {
	digits := func(s string) string {
		var d []rune
		for _, r := range s {
			if r >= '0' && r <= '9' {
				d = append(d, r)
			}
		}
		if len(d) > 10 {
			d = d[len(d)-10:]
		}
		return string(d)
	}
	da, db := digits(a), digits(b)
	return len(da) == 10 && da == db
}

// Assess reckons an application's fee and the documents its trade needs,
// and refuses it, field by field in both languages, when its licence,
// premises, year or capacity is wrong. It implements workflow.Rules.
func (s *Licences) Assess(a workflow.Assessing) (workflow.Assessment, error) {
	v := a.Values
	switch a.Service.Code {
	case SvcNew:
		q, err := s.quoteNew(v, a.Now)
		if err != nil {
			return workflow.Assessment{}, err
		}
		return workflow.Assessment{Fee: q.Total(), FeeNote: q.Note(), Documents: q.Documents}, nil
	case SvcRenewal:
		l, err := s.mine(a)
		if err != nil {
			return workflow.Assessment{}, err
		}
		q, err := s.quoteRenewal(l, v, a.Now)
		if err != nil {
			return workflow.Assessment{}, err
		}
		return workflow.Assessment{Fee: q.Total(), FeeNote: q.Note()}, nil
	case SvcAmendment:
		l, err := s.mine(a)
		if err != nil {
			return workflow.Assessment{}, err
		}
		if err := usable(l, a.Now); err != nil {
			return workflow.Assessment{}, err
		}
		q, err := s.quoteAmendment(l, v)
		if err != nil {
			return workflow.Assessment{}, err
		}
		return workflow.Assessment{Fee: q.Total(), FeeNote: q.Note(), Documents: q.Documents}, nil
	case SvcTransfer:
		l, err := s.mine(a)
		if err != nil {
			return workflow.Assessment{}, err
		}
		if err := usable(l, a.Now); err != nil {
			return workflow.Assessment{}, err
		}
		return workflow.Assessment{Fee: domain.Rupees(s.Schedule.Local.TransferFeeRupees), FeeNote: domain.T("Transfer fee (LOCAL SETTING)", "ലൈസൻസ് മാറ്റ ഫീസ്")}, nil
	case SvcSurrender:
		l, err := s.mine(a)
		if err != nil {
			return workflow.Assessment{}, err
		}
		if st := l.StatusAt(a.Now); st == StatusCancelled {
			return workflow.Assessment{}, fieldErr("licence_number", domain.T("Licence "+l.Number+" is cancelled already.", l.Number+" എന്ന ലൈസൻസ് ഇതിനകം റദ്ദാക്കിയതാണ്."))
		}
		return workflow.Assessment{}, nil
	}
	return workflow.Assessment{}, fmt.Errorf("licence: no rules for %s", a.Service.Code)
}

// usable refuses an application on a licence that is not in force.
func usable(l Licence, now time.Time) error {
	if !l.InForce(now) {
		st := StatusName(l.StatusAt(now))
		return fieldErr("licence_number", domain.T(
			fmt.Sprintf("Licence %s is %s; renew it (or have it reinstated) first.", l.Number, strings.ToLower(st.En)),
			fmt.Sprintf("%s എന്ന ലൈസൻസ് ഇപ്പോൾ '%s' നിലയിലാണ്; ആദ്യം പുതുക്കുക.", l.Number, st.Ml)))
	}
	return nil
}

// Quote is a fee as reckoned: the year's fee by the schedule, and any
// late penalty or other part, with why.
type Quote struct {
	Category  Category
	Capacity  int64
	Fee       domain.Paise
	Penalty   domain.Paise
	DaysLate  int
	Band      domain.Text
	Extra     domain.Paise // an amendment's fee, or the difference of slabs
	Year      int
	Premises  Premises
	Documents []catalogue.DocumentRequirement
}

// Total is what the applicant pays.
func (q Quote) Total() domain.Paise { return q.Fee + q.Penalty + q.Extra }

// Note says why the fee is what it is.
func (q Quote) Note() domain.Text {
	m := MeasureName(q.Category.Measure)
	n := domain.T(fmt.Sprintf("%s, %s %d: %s for %s (fee schedule, LOCAL SETTING)", q.Category.Name.En, m.En, q.Capacity, q.Fee, YearLabel(q.Year)),
		fmt.Sprintf("%s, %s %d: %s, %s (ഫീസ് പട്ടിക)", q.Category.Name.Ml, m.Ml, q.Capacity, q.Fee, YearLabel(q.Year)))
	if q.Penalty > 0 {
		n.En += fmt.Sprintf("; late penalty %s (%s, %d days)", q.Penalty, q.Band.En, q.DaysLate)
		n.Ml += fmt.Sprintf("; വൈകിയതിനുള്ള പിഴ %s (%s, %d ദിവസം)", q.Penalty, q.Band.Ml, q.DaysLate)
	}
	if q.Extra > 0 {
		n.En += fmt.Sprintf("; amendment %s", q.Extra)
		n.Ml += fmt.Sprintf("; ഭേദഗതി %s", q.Extra)
	}
	return n
}

// quoteNew reckons a new licence: the premises, the category's fee by
// capacity, and the late penalty when the application comes more than
// the rules' days after the trade began (after the MSME exemption's end
// and its months of grace, for an enterprise that had one).
func (s *Licences) quoteNew(v map[string]string, now time.Time) (Quote, error) {
	fe := domain.FieldErrors{}
	c, ok := s.Schedule.Category(v["trade_type"])
	if !ok {
		return Quote{}, fieldErr("trade_type", domain.T("Choose the kind of trade from the list.", "വ്യാപാരത്തിന്റെ തരം പട്ടികയിൽ നിന്ന് തിരഞ്ഞെടുക്കുക."))
	}
	ward, _ := strconv.Atoi(v["ward"])
	q := Quote{Category: c, Year: FinancialYear(now)}
	var err error
	if q.Premises, err = s.Premises(v["building_number"], ward); err != nil {
		return Quote{}, err
	}
	if q.Capacity, err = capacity(c, v); err == nil {
		q.Fee, err = c.Fee(q.Capacity)
	}
	if err != nil {
		return Quote{}, err
	}
	started, err := time.ParseInLocation(time.DateOnly, v["trade_started_on"], domain.IST)
	if err != nil || dateOf(started) > dateOf(now) {
		fe.Add("trade_started_on", domain.T("Give the day the trade began (or will begin), not later than today.", "വ്യാപാരം തുടങ്ങിയ തീയതി നൽകുക; ഇന്നത്തേതിനു ശേഷമുള്ളത് പാടില്ല."))
		return Quote{}, fe.Err()
	}
	from := dayNumber(started) + s.Schedule.Statutory.ApplyWithinDays
	if ack := strings.TrimSpace(v["msme_acknowledgement"]); ack != "" {
		e, err := s.MSME(ack)
		if err != nil {
			return Quote{}, fieldErr("msme_acknowledgement", domain.T(
				"No MSME acknowledgement "+ack+" is recorded here; bring it to the office to be recorded, or leave this empty.",
				ack+" എന്ന എം.എസ്.എം.ഇ. അംഗീകാരം ഇവിടെ രേഖപ്പെടുത്തിയിട്ടില്ല; ഓഫീസിൽ രേഖപ്പെടുത്തുക, അല്ലെങ്കിൽ ഇത് ഒഴിവാക്കുക."))
		}
		from = max(from, dayNumber(e.ApplyBy))
	}
	q.DaysLate = max(0, dayNumber(now)-from)
	q.Penalty, q.Band = s.Schedule.LatePenalty(q.Fee, q.DaysLate)
	hp, _ := strconv.ParseFloat(v["machinery_hp"], 64)
	q.Documents = s.Schedule.Requirements(c, int64(hp))
	return q, nil
}

// quoteRenewal reckons a renewal for the financial year asked for: it
// must be the year after the licence's, and not beyond the year after
// today's; it is late (with the schedule's penalty) once the licence's
// year has ended.
func (s *Licences) quoteRenewal(l Licence, v map[string]string, now time.Time) (Quote, error) {
	st := l.StatusAt(now)
	if st == StatusSuspended || st == StatusCancelled {
		return Quote{}, fieldErr("licence_number", domain.T(
			fmt.Sprintf("Licence %s is %s and cannot be renewed.", l.Number, strings.ToLower(StatusName(st).En)),
			fmt.Sprintf("%s എന്ന ലൈസൻസ് '%s' നിലയിലാണ്; പുതുക്കാനാകില്ല.", l.Number, StatusName(st).Ml)))
	}
	if l.Renewal != "" {
		return Quote{}, fieldErr("licence_number", domain.T(
			fmt.Sprintf("A renewal of %s is already being decided (%s).", l.Number, l.Renewal),
			fmt.Sprintf("%s-ന്റെ പുതുക്കൽ അപേക്ഷ (%s) ഇപ്പോൾ പരിഗണനയിലാണ്.", l.Number, l.Renewal)))
	}
	cur, _ := ParseYear(l.Year)
	want, ok := ParseYear(v["financial_year"])
	// Years after a lapse are renewed one at a time, oldest first, each
	// with its penalty: the register never skips a year a trade ran.
	if !ok || want != cur+1 || want > FinancialYear(now)+1 {
		return Quote{}, fieldErr("financial_year", domain.T(
			fmt.Sprintf("Licence %s runs to %s (%s); renew it for %s, and not before that year is due.", l.Number, l.Year, l.ValidTo, YearLabel(cur+1)),
			fmt.Sprintf("%s എന്ന ലൈസൻസിന്റെ കാലാവധി %s (%s) വരെ; %s-ലേക്കാണ് പുതുക്കേണ്ടത്.", l.Number, l.Year, l.ValidTo, YearLabel(cur+1))))
	}
	c, ok := s.Schedule.Category(l.Category)
	if !ok {
		return Quote{}, fmt.Errorf("licence %s: category %q is not in the schedule", l.Number, l.Category)
	}
	q := Quote{Category: c, Year: want, Capacity: l.Capacity}
	if v[c.Measure] != "" {
		var err error
		if q.Capacity, err = capacity(c, v); err != nil {
			return Quote{}, err
		}
	}
	var err error
	if q.Fee, err = c.Fee(q.Capacity); err != nil {
		return Quote{}, err
	}
	if v["building_number"] != "" {
		ward, _ := strconv.Atoi(v["ward"])
		if q.Premises, err = s.Premises(v["building_number"], ward); err != nil {
			return Quote{}, err
		}
		if q.Premises.Building.Number != l.Premises {
			return Quote{}, fieldErr("building_number", domain.T(
				fmt.Sprintf("Licence %s is for building %s; a trade that moved applies for a new licence at its new premises.", l.Number, l.Premises),
				fmt.Sprintf("%s എന്ന ലൈസൻസ് %s എന്ന കെട്ടിടത്തിനാണ്; സ്ഥലം മാറിയ വ്യാപാരം പുതിയ ലൈസൻസിന് അപേക্ഷിക്കണം.", l.Number, l.Premises)))
		}
	}
	ended, _ := time.ParseInLocation(time.DateOnly, l.ValidTo, domain.IST)
	q.DaysLate = max(0, dayNumber(now)-dayNumber(ended))
	q.Penalty, q.Band = s.Schedule.LatePenalty(q.Fee, q.DaysLate)
	return q, nil
}

// quoteAmendment reckons an amendment: the schedule's amendment fee, and
// the difference when the change moves the trade to a dearer slab.
func (s *Licences) quoteAmendment(l Licence, v map[string]string) (Quote, error) {
	cat := l.Category
	if v["trade_type"] != "" {
		cat = v["trade_type"]
	}
	c, ok := s.Schedule.Category(cat)
	if !ok {
		return Quote{}, fieldErr("trade_type", domain.T("Choose the kind of trade from the list.", "വ്യാപാരത്തിന്റെ തരം പട്ടികയിൽ നിന്ന് തിരഞ്ഞെടുക്കുക."))
	}
	q := Quote{Category: c, Capacity: l.Capacity}
	y, _ := ParseYear(l.Year)
	q.Year = y
	var err error
	if v[c.Measure] != "" || c.Measure != l.Measure {
		if q.Capacity, err = capacity(c, v); err != nil {
			return Quote{}, err
		}
	}
	newFee, err := c.Fee(q.Capacity)
	if err != nil {
		return Quote{}, err
	}
	q.Fee = domain.Rupees(s.Schedule.Local.AmendmentFeeRupees)
	q.Extra = max(0, newFee-l.Fee)
	// A change of trade produces the new trade's documents; the same
	// trade's were produced with the licence.
	if c.Code != l.Category {
		hp, _ := strconv.ParseFloat(v["machinery_hp"], 64)
		q.Documents = s.Schedule.Requirements(c, int64(hp))
	}
	return q, nil
}

// FileChanged keeps the register in step with the files on it: a file
// about a licence is linked to it when submitted, and a renewal marks the
// licence as being renewed until it is decided. It implements
// workflow.Watcher.
func (s *Licences) FileChanged(tx *store.Tx, old, f *workflow.File, kind string) error {
	if f.Service == SvcNew {
		return nil
	}
	var id string
	switch {
	case old == nil:
		l, err := byNumber(tx, f.Values["licence_number"])
		if err != nil {
			return err
		}
		if err := linkFile(tx, f.ID, l.ID); err != nil {
			return err
		}
		if f.Service != SvcRenewal {
			return nil
		}
		before := l
		l.Renewal = f.Number
		return s.put(tx, &before, &l, EventRenewalApplied, domain.Actor{ID: f.History[0].ActorID}, map[string]any{"file": f.Number})
	case f.Service == SvcRenewal && kind == workflow.KindRejected:
		if err := tx.Get(entityFile, f.ID, &id); err != nil {
			return err
		}
		l, err := getLicence(tx, id)
		if err != nil || l.Renewal != f.Number {
			return err
		}
		before := l
		l.Renewal = ""
		return s.put(tx, &before, &l, EventRenewalRefused, domain.Actor{ID: f.History[len(f.History)-1].ActorID}, map[string]any{"file": f.Number, "reason": f.Reason})
	}
	return nil
}
