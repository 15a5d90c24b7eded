package propertytax

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// What each service does to the register. A decision (approval) changes
// the register in the write that approves, so the file and the register
// never disagree: a new building is numbered and registered and its
// demands raised from the half-year after completion; a reassessment, a
// self-assessment return or an allowed revision changes the particulars
// (the tax follows from the next half-year demanded); an exemption or a
// demolition is recorded. A mutation changes the owners when its order is
// issued, once its fee is paid. Issuing prints the order or certificate.

// Values a decision adds to the file, read when its order is printed.
const (
	valueNumbers = "allotted_numbers" // the numbers a new building or its units got, comma-separated
	valueTax     = "annual_tax_paise" // the annual tax after the decision
	valueTaxWas  = "annual_tax_was_paise"
	valueFine    = "fine_paise" // the fine for an unreported change
)

// StatusDivided is a building divided into units with sub-numbers of its
// own number.
const StatusDivided = "divided"

// Prepare applies a decision to the register, or prints what a file
// issues. It implements workflow.Rules.
func (p *PropertyTax) Prepare(pr workflow.Preparing) (workflow.Apply, error) {
	switch pr.Kind {
	case workflow.KindApproved:
		return p.prepareDecision(pr)
	case workflow.KindIssued:
		return p.prepareIssue(pr)
	}
	return nil, nil
}

func (p *PropertyTax) prepareDecision(pr workflow.Preparing) (workflow.Apply, error) {
	f := pr.File
	v := f.Values
	switch f.Service {
	case svcAssessment, svcNumber:
		b, err := p.newBuilding(workflow.Assessing{Values: v, By: domain.Actor{ID: f.Applicant.UserID, Roles: applicantRoles(f)}, Now: pr.Now})
		if err != nil {
			return nil, err
		}
		from := PeriodOf(pr.Now)
		if d, err := time.Parse(time.DateOnly, v["completed_on"]); err == nil {
			from = PeriodOf(d).Next()
		}
		if base := (Period{Year: p.Rules.Statutory.BaseYear, Half: 1}); from.Before(base) {
			from = base
		}
		units, _ := strconv.Atoi(v["units"])
		return func(tx *store.Tx, f *workflow.File) error {
			numbers, err := p.registerNew(tx, b, from, max(units, 1), v["existing_number"], pr.By, f)
			if err != nil {
				return err
			}
			f.Values[valueNumbers] = strings.Join(numbers, ", ")
			return nil
		}, nil
	case svcReassessment, svcSelfReturn, svcRevision, svcExemption, svcDeletion:
		return func(tx *store.Tx, f *workflow.File) error {
			return p.decide(tx, f, pr.By, pr.Now)
		}, nil
	}
	return nil, nil
}

// applicantRoles gives a new building's owner their account when a
// citizen applied for themselves.
func applicantRoles(f workflow.File) []domain.Role {
	if f.Applicant.UserID != "" && f.Channel == workflow.ChannelOnline {
		return []domain.Role{domain.RoleCitizen}
	}
	return nil
}

// registerNew numbers a new building (the next door number in its ward,
// with sub-numbers A, B, … for several units, or sub-numbers of the
// building divided) and registers it, raising its demands from from to
// now, in tx.
func (p *PropertyTax) registerNew(tx *store.Tx, b Building, from Period, units int, divided string, by domain.Actor, f *workflow.File) ([]string, error) {
	now := p.Now()
	var base Number
	facts := map[string]any{"file": f.Number, "service": f.Service}
	if divided != "" {
		n, err := ParseNumber(divided)
		if err != nil {
			return nil, err
		}
		orig, err := getBuilding(tx, n.ID())
		if err != nil {
			return nil, err
		}
		if n.Sub != "" {
			return nil, fieldErr("existing_number", domain.T("A sub-number ("+orig.Number+") cannot be divided again; divide the building it belongs to.", orig.Number+" എന്ന ഉപനമ്പർ വീണ്ടും വിഭജിക്കാനാകില്ല."))
		}
		before := orig
		orig.Status = StatusDivided
		if err := p.change(tx, before, &orig, EventBuildingReassessed, by, map[string]any{"file": f.Number, "divided_into": units}); err != nil {
			return nil, err
		}
		base = n
		b.Owners = orig.Owners
	} else {
		door := 0
		err := tx.Scan(entityBuilding, store.ScanOptions{Prefix: fmt.Sprintf("%03d-", b.Ward), Reverse: true, Limit: 1}, func(id string, _ []byte) error {
			door, _ = strconv.Atoi(strings.TrimRight(id[4:], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
			return nil
		})
		if err != nil {
			return nil, err
		}
		base = Number{Ward: b.Ward, Door: door + 1}
	}
	var numbers []string
	floors := b.Floors
	for u := range units {
		n := base
		if units > 1 {
			n.Sub = string(rune('A' + u))
		}
		unit := b
		unit.Number, unit.TaxedFrom = n.String(), from.String()
		if units > 1 {
			unit.Floors = make([]Floor, len(floors))
			for i, fl := range floors {
				fl.Area = Area(int64(fl.Area) / int64(units))
				unit.Floors[i] = fl
			}
			unit.PlotArea = b.PlotArea / Area(units)
		}
		if err := p.register(tx, &unit, by, facts); err != nil {
			return nil, err
		}
		if _, err := p.raiseFor(tx, unit, from, PeriodOf(now), by); err != nil {
			return nil, err
		}
		numbers = append(numbers, unit.Number)
	}
	return numbers, nil
}

// decide applies a reassessment, return, revision, exemption or
// demolition to the building a file names, in tx.
func (p *PropertyTax) decide(tx *store.Tx, f *workflow.File, by domain.Actor, now time.Time) error {
	v := f.Values
	n, err := ParseNumber(v["building_number"])
	if err != nil {
		return err
	}
	b, err := getBuilding(tx, n.ID())
	if err != nil {
		return err
	}
	before := b
	was, _ := p.Rules.Assess(before, PeriodOf(now).Year)
	typ := EventBuildingReassessed
	facts := map[string]any{"file": f.Number, "service": f.Service}
	switch f.Service {
	case svcReassessment, svcSelfReturn:
		if b, err = p.reassessed(b, v, now); err != nil {
			return err
		}
	case svcRevision:
		if b, err = p.revised(b, v, now); err != nil {
			return err
		}
	case svcExemption:
		b.Exemption, typ = v["ground"], EventBuildingExempted
	case svcDeletion:
		b.Status, b.Demolished, typ = StatusDemolished, v["demolished_on"], EventBuildingDemolished
	}
	after, err := p.Rules.Assess(b, PeriodOf(now).Year)
	if err != nil && b.Status == StatusActive {
		return err
	}
	f.Values[valueTaxWas] = strconv.FormatInt(int64(was.Total()), 10)
	f.Values[valueTax] = strconv.FormatInt(int64(after.Total()), 10)
	facts["annual_tax_was_paise"], facts["annual_tax_paise"] = was.Total(), after.Total()
	if err := p.change(tx, before, &b, typ, by, facts); err != nil {
		return err
	}
	if f.Service == svcReassessment {
		return p.fineIfLate(tx, f, after, by, now)
	}
	return nil
}

// fineIfLate raises, on the file, the fine for an addition or change of
// use reported more than 30 days after it was made: Rs 1,000 or the year's
// tax after it, whichever is higher. The order issues once it is paid.
func (p *PropertyTax) fineIfLate(tx *store.Tx, f *workflow.File, after Assessment, by domain.Actor, now time.Time) error {
	changed, err := time.ParseInLocation(time.DateOnly, f.Values["change_date"], domain.IST)
	if err != nil {
		return err
	}
	rule := p.Rules.Statutory.UnreportedChange
	if !dateOnly(f.Submitted).After(changed.AddDate(0, 0, rule.Days)) {
		return nil
	}
	fine := max(rule.MinimumPaise, after.Tax)
	if p.Finance == nil {
		return ErrNoMoney
	}
	d := &finance.Demand{Payer: finance.Payer{UserID: f.Applicant.UserID, Name: f.Applicant.Name, Phone: f.Applicant.Phone},
		Ref:  finance.Ref{Kind: "file", ID: f.ID, Number: f.Number, Title: f.ServiceName},
		Head: p.Rules.Local.Heads.Fine, Amount: fine, Raised: now, Due: now,
		Note: domain.T(fmt.Sprintf("Fine: the change of %s was reported %d days after it was made (the rule allows %d)", f.Values["change_date"], int(dateOnly(f.Submitted).Sub(changed).Hours()/24), rule.Days),
			fmt.Sprintf("പിഴ: %s-ലെ മാറ്റം %d ദിവസം കഴിഞ്ഞാണ് അറിയിച്ചത് (അനുവദനീയം %d)", f.Values["change_date"], int(dateOnly(f.Submitted).Sub(changed).Hours()/24), rule.Days))}
	if err := p.Finance.RaiseIn(tx, d, by); err != nil {
		return err
	}
	f.Values[valueFine] = strconv.FormatInt(int64(fine), 10)
	return nil
}

// prepareIssue prints what a file issues; a mutation's order changes the
// owners as it issues.
func (p *PropertyTax) prepareIssue(pr workflow.Preparing) (workflow.Apply, error) {
	f := pr.File
	decision, ok := f.Decision()
	if !ok || decision.Kind != workflow.KindApproved {
		return nil, domain.Errorf(domain.ECONFLICT, "file %s is not approved; it cannot be issued", f.Number)
	}
	var b Building
	numbers := f.Values[valueNumbers]
	number := f.Values["building_number"]
	if numbers != "" {
		number, _, _ = strings.Cut(numbers, ",")
	}
	b, err := p.Building(number)
	if err != nil {
		return nil, err
	}
	letter, mutate, err := p.order(f, b, decision, pr.Now)
	if err != nil {
		return nil, err
	}
	pdf, err := p.Documents.Letter(letter)
	if err != nil {
		return nil, err
	}
	sum := store.SumBlob(pdf)
	issued := catalogue.IssueOrder
	if f.Service == svcOwnership || f.Service == svcAge {
		issued = catalogue.IssueCertificate
	}
	return func(tx *store.Tx, f *workflow.File) error {
		if mutate != nil {
			if err := mutate(tx); err != nil {
				return err
			}
		}
		if err := tx.PutSummedBlob(sum, pdf); err != nil {
			return err
		}
		f.Issued = &workflow.IssuedDocument{Kind: issued, Number: f.Number, Title: letter.Title, Blob: sum}
		return nil
	}, nil
}

// order is the letter a file issues, and for a mutation the change of
// owners it makes.
func (p *PropertyTax) order(f workflow.File, b Building, decision workflow.Action, now time.Time) (documents.Letter, func(*store.Tx) error, error) {
	v := f.Values
	row := func(en, ml string, value domain.Text) documents.LetterRow {
		return documents.LetterRow{Label: domain.T(en, ml), Value: value}
	}
	plain := func(s string) domain.Text { return domain.Text{En: s} }
	paise := func(key string) domain.Paise { n, _ := strconv.ParseInt(v[key], 10, 64); return domain.Paise(n) }
	l := documents.Letter{LocalBody: p.LocalBody, Number: f.Number, Reference: f.Number, Officer: decision.ActorName, OfficerTitle: decision.Role.Name(),
		Issued: now, StatusURL: workflow.StatusURL(p.PublicURL(), f.Number),
		Rows: []documents.LetterRow{
			row("Building", "കെട്ടിടം", plain(b.Number)),
			row("Ward", "വാർഡ്", plain(strconv.Itoa(b.Ward))),
			row("Owners", "ഉടമകൾ", domain.T(b.OwnerNames("en"), b.OwnerNames("ml"))),
		}}
	a, _ := p.Rules.Assess(b, PeriodOf(now).Year)
	taxRows := func() {
		l.Rows = append(l.Rows,
			row("Plinth area", "തറ വിസ്തീർണ്ണം", plain(b.PlinthArea().String())),
			row("Use", "ഉപയോഗം", UseName(b.MainUse())))
		if a.Exempt != "" {
			l.Rows = append(l.Rows, row("Tax", "നികുതി", domain.T("Exempt: "+ExemptionName(a.Exempt).En, "ഇളവ്: "+ExemptionName(a.Exempt).Ml)))
			return
		}
		l.Rows = append(l.Rows, row("Annual tax "+PeriodOf(now).FinancialYear(), "വാർഷിക നികുതി "+PeriodOf(now).FinancialYear(),
			domain.T(fmt.Sprintf("%s tax + %s service cess = %s; two half-yearly instalments", a.Tax, a.Cess, a.Total()),
				fmt.Sprintf("%s നികുതി + %s സേവന സെസ് = %s; രണ്ട് അർദ്ധവാർഷിക ഗഡുക്കൾ", a.Tax, a.Cess, a.Total()))))
	}
	var mutate func(*store.Tx) error
	switch f.Service {
	case svcAssessment, svcNumber:
		l.Title = domain.T("Property tax assessment order", "വസ്തു നികുതി നിർണ്ണയ ഉത്തരവ്")
		if f.Service == svcNumber {
			l.Title = domain.T("Building number allotment order", "കെട്ടിട നമ്പർ അനുവദിക്കൽ ഉത്തരവ്")
		}
		l.Rows[0] = row("Building number", "കെട്ടിട നമ്പർ", plain(v[valueNumbers]))
		taxRows()
		l.Rows = append(l.Rows, row("Taxed from", "നികുതി മുതൽ", plain(b.TaxedFrom)))
		l.Body = fmt.Sprintf("The building is entered in the register of buildings under the number(s) %s and assessed to property tax as above, from %s. Pay each half-year's instalment by 30 September and 31 March; later, penal interest is due for each month or part of a month.\n\n"+
			"കെട്ടിടം %s എന്ന നമ്പറിൽ കെട്ടിട രജിസ്റ്ററിൽ ചേർത്ത് മുകളിൽ പറഞ്ഞ പ്രകാരം %s മുതൽ വസ്തു നികുതി നിർണ്ണയിച്ചിരിക്കുന്നു. ഓരോ അർദ്ധവർഷത്തെയും ഗഡു സെപ്റ്റംബർ 30, മാർച്ച് 31 എന്നിവയ്ക്കകം അടയ്ക്കുക; വൈകിയാൽ ഓരോ മാസത്തിനും പിഴപ്പലിശ.", v[valueNumbers], b.TaxedFrom, v[valueNumbers], b.TaxedFrom)
	case svcReassessment, svcSelfReturn, svcRevision:
		l.Title = map[string]domain.Text{
			svcReassessment: domain.T("Property tax reassessment order", "വസ്തു നികുതി പുനർനിർണ്ണയ ഉത്തരവ്"),
			svcSelfReturn:   domain.T("Order on a self-assessment return", "സ്വയം നിർണ്ണയ റിട്ടേണിലെ ഉത്തരവ്"),
			svcRevision:     domain.T("Order on a revision petition", "പുനഃപരിശോധനാ ഹർജിയിലെ ഉത്തരവ്"),
		}[f.Service]
		taxRows()
		l.Rows = append(l.Rows, row("Annual tax before", "മുമ്പത്തെ വാർഷിക നികുതി", plain(paise(valueTaxWas).String())))
		if fine := paise(valueFine); fine > 0 {
			l.Rows = append(l.Rows, row("Fine for late report", "വൈകി അറിയിച്ചതിനുള്ള പിഴ", plain(fine.String())))
		}
		l.Body = "The particulars of the building are entered as verified, and the tax above applies from the next half-year demanded.\n\nപരിശോധിച്ച പ്രകാരം കെട്ടിടത്തിന്റെ വിവരങ്ങൾ രേഖപ്പെടുത്തി; മുകളിലെ നികുതി അടുത്ത അർദ്ധവർഷം മുതൽ ബാധകം."
		if strings.TrimSpace(decision.Note) != "" {
			l.Body = decision.Note + "\n\n" + l.Body
		}
	case svcExemption:
		l.Title = domain.T("Property tax exemption order", "വസ്തു നികുതി ഇളവ് ഉത്തരവ്")
		ex, _ := p.Rules.Exemption(b.Exemption)
		l.Rows = append(l.Rows, row("Ground", "കാരണം", ExemptionName(b.Exemption)))
		l.Body = fmt.Sprintf("The building is exempted from property tax from the next half-year demanded, on the ground above (%s), for as long as it is so used.\n\nമുകളിൽ പറഞ്ഞ കാരണത്താൽ, അങ്ങനെ ഉപയോഗിക്കുന്നിടത്തോളം, അടുത്ത അർദ്ധവർഷം മുതൽ കെട്ടിടത്തിന് വസ്തു നികുതിയിൽ നിന്ന് ഇളവ് നൽകുന്നു.", ex.Basis)
	case svcDeletion:
		l.Title = domain.T("Order deleting an assessment", "നികുതി നിർണ്ണയം ഒഴിവാക്കൽ ഉത്തരവ്")
		l.Rows = append(l.Rows, row("Demolished on", "പൊളിച്ചത്", plain(b.Demolished)))
		l.Body = "The building is recorded as demolished; no tax is demanded for the half-years after. What is owed for the half-years before stays due.\n\nകെട്ടിടം പൊളിച്ചതായി രേഖപ്പെടുത്തി; തുടർന്നുള്ള അർദ്ധവർഷങ്ങൾക്ക് നികുതി ഇല്ല. മുൻ അർദ്ധവർഷങ്ങളുടെ കുടിശ്ശിക നിലനിൽക്കും."
	case svcMutation:
		l.Title = domain.T("Order transferring ownership", "ഉടമസ്ഥാവകാശം മാറ്റൽ ഉത്തരവ്")
		newOwner := domain.T(v["new_owner_en"], v["new_owner_ml"])
		l.Rows = append(l.Rows, row("New owner", "പുതിയ ഉടമ", newOwner),
			row("Deed", "ആധാരം", plain(fmt.Sprintf("%s dated %s, %s", v["deed_number"], v["deed_date"], v["sub_registry"]))))
		l.Body = "The register of buildings is changed to name the new owner above, on the registered deed given. Property tax from the next half-year is demanded from the new owner; what is owed for earlier half-years stays due on the building.\n\nനൽകിയ രജിസ്റ്റർ ചെയ്ത ആധാരപ്രകാരം കെട്ടിട രജിസ്റ്ററിൽ പുതിയ ഉടമയെ ചേർത്തു. അടുത്ത അർദ്ധവർഷം മുതലുള്ള നികുതി പുതിയ ഉടമയിൽ നിന്ന്; മുൻ കുടിശ്ശിക കെട്ടിടത്തിൽ നിലനിൽക്കും."
		mutate = func(tx *store.Tx) error {
			cur, err := getBuilding(tx, b.ID)
			if err != nil {
				return err
			}
			before := cur
			owner := Owner{Name: newOwner, Share: 100, Phone: f.Applicant.Phone, Address: domain.T(v["new_owner_address"], "")}
			if f.Applicant.UserID != "" && f.Channel == workflow.ChannelOnline && ownerNamed(Building{Owners: []Owner{owner}}, f.Applicant.Name.En, f.Applicant.Name.Ml) {
				owner.UserID = f.Applicant.UserID
			}
			cur.Owners = []Owner{owner}
			return p.change(tx, before, &cur, EventBuildingTransferred, domain.Actor{ID: decision.ActorID, Name: decision.ActorName},
				map[string]any{"file": f.Number, "from": before.Owners, "deed": map[string]string{"number": v["deed_number"], "date": v["deed_date"], "sub_registry": v["sub_registry"], "kind": v["transfer_kind"]}})
		}
	case svcOwnership:
		l.Title = domain.T("Ownership certificate", "ഉടമസ്ഥാവകാശ സർട്ടിഫിക്കറ്റ്")
		l.Rows = append(l.Rows, row("Address", "വിലാസം", b.Address), row("Purpose", "ആവശ്യം", plain(v["purpose"])))
		l.Body = fmt.Sprintf("Certified that building %s in ward %d stands in the register of buildings of this local body in the name of %s, as on the date above.\n\nഈ തദ്ദേശ സ്ഥാപനത്തിന്റെ കെട്ടിട രജിസ്റ്ററിൽ %d-ാം വാർഡിലെ %s എന്ന കെട്ടിടം മുകളിലെ തീയതിയിൽ %s എന്നവരുടെ പേരിലാണെന്ന് സാക്ഷ്യപ്പെടുത്തുന്നു.",
			b.Number, b.Ward, b.OwnerNames("en"), b.Ward, b.Number, b.OwnerNames("ml"))
	case svcAge:
		l.Title = domain.T("Building age certificate", "കെട്ടിടത്തിന്റെ കാലപ്പഴക്ക സർട്ടിഫിക്കറ്റ്")
		age := now.In(domain.IST).Year() - b.YearBuilt
		l.Rows = append(l.Rows, row("Year built", "നിർമ്മിച്ച വർഷം", plain(strconv.Itoa(b.YearBuilt))), row("Purpose", "ആവശ്യം", plain(v["purpose"])))
		l.Body = fmt.Sprintf("Certified that building %s in ward %d was built in %d, as the register of buildings records, and is about %d years old.\n\n%d-ാം വാർഡിലെ %s എന്ന കെട്ടിടം കെട്ടിട രജിസ്റ്റർ പ്രകാരം %d-ൽ നിർമ്മിച്ചതാണെന്നും ഏകദേശം %d വർഷം പഴക്കമുണ്ടെന്നും സാക്ഷ്യപ്പെടുത്തുന്നു.",
			b.Number, b.Ward, b.YearBuilt, age, b.Ward, b.Number, b.YearBuilt, age)
	default:
		return l, nil, fmt.Errorf("property tax: nothing to issue for %s", f.Service)
	}
	return l, mutate, nil
}
