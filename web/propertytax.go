package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/identity"
	"ksmart/appliance/propertytax"
)

// The property tax pages: a citizen finds a building by its number, claims
// it, sees what each of their buildings owes and pays it; the office reads
// the register ward by ward, a building with its assessment, enters a
// surveyed building, links an owner to their account, and sees the demand,
// collection and balance register, the defaulters and the half-year's
// demand job. Every rule and every decision of who may read what is
// propertytax's; these handlers read forms and draw pages.

// propertyTaxRoutes registers the property tax routes with who may call
// them.
func (s *Server) propertyTaxRoutes(e *echo.Echo, api *echo.Group) {
	citizen := signedIn(domain.RoleCitizen)
	// A building's owner who claimed it, or the office: Owned decides.
	ownerOrOffice := signedIn(append([]domain.Role{domain.RoleCitizen}, staffRoles...)...)
	staff := signedIn(staffRoles...)
	readers := signedIn(propertytax.ReaderRoles...)

	e.GET("/property-tax", s.taxFindPage, citizen)
	e.POST("/property-tax/claim", s.taxClaim, citizen)
	e.GET("/buildings/:id", s.taxBuildingPage, citizen)
	e.POST("/buildings/:id/pay", s.taxPayOnline, citizen)
	e.GET("/buildings/:id/notice.pdf", s.taxNotice, ownerOrOffice)

	e.GET("/office/buildings", s.taxRegisterPage, readers)
	e.GET("/office/buildings/new", s.taxSurveyPage, signedIn(propertytax.SurveyorRoles...))
	e.POST("/office/buildings", s.taxRegisterSurveyed, signedIn(propertytax.SurveyorRoles...))
	e.GET("/office/buildings/:id", s.taxOfficeBuildingPage, staff)
	e.POST("/office/buildings/:id/link", s.taxLink, signedIn(propertytax.LinkerRoles...))
	e.GET("/office/property-tax", func(c echo.Context) error {
		// The tax office's front page is its balance register.
		return c.Redirect(http.StatusSeeOther, "/office/property-tax/dcb")
	}, readers)
	e.GET("/office/property-tax/dcb", s.taxDCBPage, readers)
	e.GET("/office/property-tax/defaulters", s.taxDefaultersPage, readers)
	e.POST("/office/property-tax/demands", s.taxRaiseDemands, signedIn(propertytax.DemandJobRoles...))

	api.GET("/buildings", s.apiBuildings, readers)
	api.GET("/buildings/:number", s.apiBuilding, ownerOrOffice)
	api.POST("/buildings/:number/claim", s.apiClaimBuilding, citizen)
	api.GET("/property-tax/dcb", s.apiTaxDCB, readers)
	api.GET("/property-tax/defaulters", s.apiTaxDefaulters, readers)
}

// taxFuncs are the templates' helpers for property tax.
var taxFuncs = template.FuncMap{
	"ptuse":    func(lang, code string) string { return propertytax.UseName(code).In(lang) },
	"ptzone":   func(lang, code string) string { return propertytax.ZoneName(code).In(lang) },
	"ptroad":   func(lang, code string) string { return propertytax.RoadName(code).In(lang) },
	"ptcons":   func(lang, code string) string { return propertytax.ConstructionName(code).In(lang) },
	"ptexempt": func(lang, code string) string { return propertytax.ExemptionName(code).In(lang) },
	"ptstatus": func(lang, s string) string { return propertytax.BuildingStatusName(s).In(lang) },
	// period names a half-year: "2026-27, first half (April–September)".
	"period": func(lang, s string) string {
		p, err := propertytax.ParsePeriod(s)
		if err != nil {
			return s
		}
		return p.Name().In(lang)
	},
	// percent writes a collection efficiency: "62.5%", or "—" when
	// nothing was demanded.
	"percent": func(v float64) string {
		if v < 0 {
			return "—"
		}
		return strconv.FormatFloat(v, 'f', 1, 64) + "%"
	},
	// taxMay says whether an office user may read the register ("read"),
	// enter a surveyed building ("survey"), link an owner ("link") or run
	// the demand job ("demands"), as propertytax names the roles.
	"taxMay": func(u *identity.User, what string) bool {
		if u == nil || u.Kind != identity.KindStaff {
			return false
		}
		roles := map[string][]domain.Role{"read": propertytax.ReaderRoles, "survey": propertytax.SurveyorRoles,
			"link": propertytax.LinkerRoles, "demands": propertytax.DemandJobRoles}[what]
		return u.Actor().HasAny(roles...)
	},
	// errmsg is an error's message in the page's language: its one
	// field's message when it names one field, else its own.
	"errmsg": func(lang string, e *domain.Error) string {
		if len(e.Fields) == 1 {
			for _, t := range e.Fields {
				return t.In(lang)
			}
		}
		if lang == "ml" && e.MessageML != "" {
			return e.MessageML
		}
		return e.Message
	},
	"list": func(xs ...string) []string { return xs },
	"signed": func(n int) string {
		if n > 0 {
			return fmt.Sprintf("+%d%%", n)
		}
		return fmt.Sprintf("%d%%", n)
	},
	"owed": func(ds []taxDue) domain.Paise {
		var sum domain.Paise
		for _, d := range ds {
			sum += d.Balance
		}
		return sum
	},
}

// propertyTax is the property tax module, or an error when the node has
// none.
func (s *Server) propertyTax() (*propertytax.PropertyTax, error) {
	if s.App.PropertyTax == nil {
		return nil, domain.Bilingual(domain.EUNAVAILABLE, domain.T("This office keeps no register of buildings in ksmart yet.", "ഈ ഓഫീസ് ഇതുവരെ ksmart-ൽ കെട്ടിട രജിസ്റ്റർ സൂക്ഷിക്കുന്നില്ല."))
	}
	return s.App.PropertyTax, nil
}

// taxDue is a building's half-year as a page shows it: with the UPI code
// to pay it by and its receipts.
type taxDue struct {
	propertytax.Due
	UPI      string
	UPIQR    string
	Receipts []finance.Receipt
}

// taxBuilding is a building as a page shows it.
type taxBuilding struct {
	B         propertytax.Building
	AnnualTax domain.Paise
	Exempt    string
	Dues      []taxDue
	Owed      domain.Paise
}

func (s *Server) taxBuildingView(pt *propertytax.PropertyTax, b propertytax.Building, withPay bool) (taxBuilding, error) {
	v := taxBuilding{B: b}
	v.AnnualTax, v.Exempt = pt.AnnualTax(b)
	dues, err := pt.Dues(b.ID)
	if err != nil {
		return v, err
	}
	for _, d := range dues {
		td := taxDue{Due: d}
		if withPay {
			if td.UPI = pt.UPI(d); td.UPI != "" {
				td.UPIQR = qrSVG(td.UPI)
			}
			if rs, err := s.App.Finance.ReceiptsOf(d.ID); err == nil {
				td.Receipts = rs
			}
		}
		v.Dues = append(v.Dues, td)
		v.Owed += d.Balance
	}
	return v, nil
}

// Citizens.

func (s *Server) taxFindPage(c echo.Context) error {
	return s.renderTaxFind(c, http.StatusOK, strings.TrimSpace(c.QueryParam("number")), nil)
}

// renderTaxFind draws the citizen's property tax page: the buildings on
// their account with what each owes, the search by number, and the
// building found, as the register shows it to anyone (no phones), with
// the claim's answer when there is one.
func (s *Server) renderTaxFind(c echo.Context, status int, number string, claimErr *domain.Error) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	u, _ := user(c)
	mine, err := pt.ClaimedBy(u.ID)
	if err != nil {
		return err
	}
	sums, err := pt.Summaries(mine)
	if err != nil {
		return err
	}
	data := map[string]any{"Mine": sums, "Number": number, "ClaimError": claimErr}
	if number != "" {
		b, err := pt.Building(number)
		var de *domain.Error
		switch {
		case asDomainError(err, &de) && (de.Code == domain.EINVALID || de.Code == domain.ENOTFOUND):
			data["NotFound"] = de
			if status == http.StatusOK {
				status = statusOf[de.Code]
			}
		case err != nil:
			return err
		default:
			v, err := s.taxBuildingView(pt, b.Public(), false)
			if err != nil {
				return err
			}
			data["Found"], data["Yours"] = v, b.OwnedBy(u.ID)
		}
	}
	return s.render(c, status, "tax_find.html", "pt_property_tax", data)
}

func asDomainError(err error, de **domain.Error) bool {
	e, ok := err.(*domain.Error)
	if ok {
		*de = e
	}
	return ok
}

func (s *Server) taxClaim(c echo.Context) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	number := strings.TrimSpace(values["number"])
	b, err := pt.Claim(actor(c), number)
	var de *domain.Error
	if asDomainError(err, &de) && de.Code != domain.EINTERNAL {
		return s.renderTaxFind(c, statusOf[de.Code], number, de)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/buildings/"+url.PathEscape(b.ID)+"?claimed=1")
}

func (s *Server) taxBuildingPage(c echo.Context) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	b, err := pt.Owned(actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	v, err := s.taxBuildingView(pt, b.Public(), true)
	if err != nil {
		return err
	}
	u, _ := user(c)
	return s.render(c, http.StatusOK, "tax_building.html", "pt_building "+b.Number, map[string]any{"V": v, "UserID": u.ID,
		"Online": s.App.Finance != nil && s.App.Finance.Gateway != nil, "Paid": c.QueryParam("paid"), "Claimed": c.QueryParam("claimed") == "1",
		"Interest": pt.InterestRule()})
}

func (s *Server) taxPayOnline(c echo.Context) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	o, err := pt.PayOnline(c.Request().Context(), actor(c), c.Param("id"), values["period"])
	if err != nil {
		return err
	}
	// As for a file's fee: a page that links on to the gateway, since the
	// pages' form-action 'self' binds a post's redirect too.
	return s.render(c, http.StatusOK, "pay_online.html", "m_payments", o)
}

func (s *Server) taxNotice(c echo.Context) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	b, err := pt.Owned(actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	pdf, err := pt.Notice(b.ID)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="demand-notice-`+strings.ReplaceAll(b.Number, "/", "-")+`.pdf"`)
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// The office.

// wardParam reads ?ward=; when absent, the user's own ward (staff tied to
// wards) or else the first. A ward that is not a number is refused naming
// the field.
func (s *Server) wardParam(c echo.Context) (int, error) {
	raw := strings.TrimSpace(c.QueryParam("ward"))
	if raw == "" {
		if u, ok := user(c); ok && len(u.Wards) > 0 {
			return u.Wards[0], nil
		}
		if len(s.App.LocalBody.Wards) > 0 {
			return s.App.LocalBody.Wards[0].Number, nil
		}
	}
	w, err := strconv.Atoi(raw)
	if err != nil {
		return 0, domain.FieldErrors{"ward": domain.T(fmt.Sprintf("Give the ward as its number, e.g. ward=5 (not %q).", raw), "വാർഡ് അതിന്റെ നമ്പറായി നൽകുക, ഉദാ. ward=5.")}.Err()
	}
	return w, nil
}

// taxRegisterPageSize is how many buildings a page of the register lists.
const taxRegisterPageSize = 50

func (s *Server) taxRegisterPage(c echo.Context) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	ward, err := s.wardParam(c)
	if err != nil {
		return err
	}
	list, next, err := pt.Ward(actor(c), ward, c.QueryParam("after"), taxRegisterPageSize)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "tax_register.html", "pt_register_of_buildings", map[string]any{"Ward": ward, "Wards": s.App.LocalBody.Wards,
		"List": list, "Next": next, "After": c.QueryParam("after")})
}

// taxOffice is the office's page of a building.
type taxOffice struct {
	taxBuilding
	Assessment *propertytax.Assessment
	Period     propertytax.Period
	Linked     map[string]string // user id → the account's name
	Errors     map[string]domain.Text
	Values     map[string]string
	Interest   domain.Text
	// The rules the assessment shows: the yearly rise and its base year,
	// the cess, the multiple on unauthorised floors.
	Rise, CessPercent, Multiple int
	BaseYear                    string
}

func (s *Server) taxOfficeBuildingPage(c echo.Context) error {
	return s.renderTaxOffice(c, http.StatusOK, nil, nil)
}

func (s *Server) renderTaxOffice(c echo.Context, status int, errs map[string]domain.Text, values map[string]string) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	b, err := pt.Examine(actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	v, err := s.taxBuildingView(pt, b, false)
	if err != nil {
		return err
	}
	st := pt.Rules.Statutory
	view := taxOffice{taxBuilding: v, Period: pt.CurrentPeriod(), Linked: map[string]string{}, Errors: errs, Values: values, Interest: pt.InterestRule(),
		Rise: st.YearlyRise.Percent, CessPercent: pt.Rules.Local.CessPercent, Multiple: st.UnauthorisedMultiple.Times,
		BaseYear: propertytax.Period{Year: st.BaseYear, Half: 1}.FinancialYear()}
	if b.Status == propertytax.StatusActive {
		if a, err := pt.Assessment(b); err == nil {
			view.Assessment = &a
		}
	}
	for _, o := range b.Owners {
		if o.UserID != "" {
			if u, err := s.App.Identity.Get(o.UserID); err == nil {
				view.Linked[o.UserID] = u.Name + " (" + u.Login + ")"
			}
		}
	}
	return s.render(c, status, "tax_office_building.html", "pt_building "+b.Number, map[string]any{"V": view,
		"New": c.QueryParam("new") == "1", "Done": c.QueryParam("linked") == "1"})
}

func (s *Server) taxLink(c echo.Context) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	owner, convErr := strconv.Atoi(values["owner"])
	login := strings.TrimSpace(values["user"])
	u, lookupErr := s.App.Identity.ByLogin(login)
	switch {
	case convErr != nil:
		err = domain.FieldErrors{"owner": domain.T("Choose one of the building's owners.", "കെട്ടിടത്തിന്റെ ഉടമകളിൽ ഒരാളെ തിരഞ്ഞെടുക്കുക.")}.Err()
	case login == "" || lookupErr != nil || u.Kind != identity.KindCitizen:
		err = domain.FieldErrors{"user": domain.T(
			fmt.Sprintf("No citizen's account signs in with %q. Give the mobile number or e-mail the owner signed up with; if they have no account, ask them to sign up first.", login),
			fmt.Sprintf("%q ഉപയോഗിച്ച് സൈൻ ഇൻ ചെയ്യുന്ന പൗര അക്കൗണ്ട് ഇല്ല. ഉടമ സൈൻ അപ്പ് ചെയ്ത മൊബൈൽ നമ്പറോ ഇ-മെയിലോ നൽകുക; അക്കൗണ്ട് ഇല്ലെങ്കിൽ ആദ്യം സൈൻ അപ്പ് ചെയ്യാൻ പറയുക.", login))}.Err()
	default:
		var b propertytax.Building
		if b, err = pt.Owned(actor(c), c.Param("id")); err == nil {
			_, err = pt.Link(actor(c), b.Number, owner, u.ID)
		}
	}
	if errs, ok := fieldErrors(err); ok {
		return s.renderTaxOffice(c, http.StatusUnprocessableEntity, errs, values)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/office/buildings/"+url.PathEscape(c.Param("id"))+"?linked=1")
}

func (s *Server) taxSurveyPage(c echo.Context) error {
	return s.renderTaxSurvey(c, http.StatusOK, nil, map[string]string{"owner1_share": "100", "occupancy": "owner", "floor1_level": "0",
		"zone": "secondary", "road": "other_road", "construction": "rcc"})
}

func (s *Server) renderTaxSurvey(c echo.Context, status int, errs map[string]domain.Text, values map[string]string) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	var owners, floors []int
	for i := 1; i <= propertytax.SurveyOwners; i++ {
		owners = append(owners, i)
	}
	for i := 1; i <= propertytax.SurveyFloors; i++ {
		floors = append(floors, i)
	}
	return s.render(c, status, "tax_survey.html", "pt_enter_surveyed", map[string]any{"Errors": errs, "Values": values,
		"Choices": pt.SurveyChoices(), "Owners": owners, "Floors": floors, "Period": pt.CurrentPeriod().String()})
}

func (s *Server) taxRegisterSurveyed(c echo.Context) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	b, err := pt.RegisterSurveyed(actor(c), values)
	if errs, ok := fieldErrors(err); ok {
		return s.renderTaxSurvey(c, http.StatusUnprocessableEntity, errs, values)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/office/buildings/"+url.PathEscape(b.ID)+"?new=1")
}

// taxDCBLine is a ward's line of the DCB register.
type taxDCBLine struct {
	Ward int
	Name domain.Text
	propertytax.DCB
}

func (s *Server) taxDCB(pt *propertytax.PropertyTax) (propertytax.DCB, []taxDCBLine, error) {
	all, wards, err := pt.DCBRegister()
	if err != nil {
		return all, nil, err
	}
	var lines []taxDCBLine
	for _, w := range s.App.LocalBody.Wards {
		if d, ok := wards[w.Number]; ok {
			lines = append(lines, taxDCBLine{Ward: w.Number, Name: w.Name, DCB: *d})
		}
	}
	for n, d := range wards {
		if !slices.ContainsFunc(lines, func(l taxDCBLine) bool { return l.Ward == n }) {
			lines = append(lines, taxDCBLine{Ward: n, Name: domain.T(strconv.Itoa(n), strconv.Itoa(n)), DCB: *d})
		}
	}
	slices.SortFunc(lines, func(a, b taxDCBLine) int { return a.Ward - b.Ward })
	return all, lines, nil
}

func (s *Server) taxDCBPage(c echo.Context) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	all, lines, err := s.taxDCB(pt)
	if err != nil {
		return err
	}
	per := pt.CurrentPeriod()
	job, err := pt.DemandJobOf(per)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "tax_dcb.html", "pt_dcb_register", map[string]any{"All": all, "Lines": lines,
		"Year": per.FinancialYear(), "Period": per.String(), "Job": job, "Ran": c.QueryParam("ran") == "1"})
}

func (s *Server) taxDefaultersPage(c echo.Context) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	ward, err := s.wardParam(c)
	if err == nil {
		err = pt.CheckWard(ward)
	}
	if err != nil {
		return err
	}
	list, err := pt.Defaulters(ward)
	if err != nil {
		return err
	}
	var total domain.Paise
	for _, d := range list {
		total += d.Owed
	}
	return s.render(c, http.StatusOK, "tax_defaulters.html", "pt_defaulters", map[string]any{"Ward": ward, "Wards": s.App.LocalBody.Wards, "List": list, "Total": total})
}

func (s *Server) taxRaiseDemands(c echo.Context) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	if _, err := pt.RunDemandJob(actor(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/office/property-tax/dcb?ran=1")
}
