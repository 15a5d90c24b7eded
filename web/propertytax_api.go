package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/domain"
	"ksmart/appliance/propertytax"
)

// apiTaxDue is a half-year's demand as the API shows it: propertytax.Due
// (period, demand, amount_paise, interest_paise, paid_paise,
// balance_paise, due_date, state, months_overdue) and the UPI address to
// pay it by.
type apiTaxDue struct {
	propertytax.Due
	UPI string `json:"upi,omitempty"`
}

// apiOwner is an owner as the register shows them: no phone.
type apiOwner struct {
	Name  domain.Text `json:"name"`
	Share int         `json:"share_percent"`
}

// apiTaxBuilding is a building as GET /api/v1/buildings/{number} answers.
type apiTaxBuilding struct {
	Number       string           `json:"number"`
	Ward         int              `json:"ward"`
	Use          string           `json:"use"`
	UseName      domain.Text      `json:"use_name"`
	PlinthArea   propertytax.Area `json:"plinth_area_m2"`
	AnnualTax    domain.Paise     `json:"annual_tax_paise"`
	Exempt       bool             `json:"exempt"`
	ExemptGround string           `json:"exempt_ground,omitempty"`
	Status       string           `json:"status"`
	Owners       []apiOwner       `json:"owners"`
	Balance      domain.Paise     `json:"balance_paise"`
	Demands      []apiTaxDue      `json:"demands"`
}

func (s *Server) apiTaxBuildingOf(pt *propertytax.PropertyTax, b propertytax.Building) (apiTaxBuilding, error) {
	out := apiTaxBuilding{Number: b.Number, Ward: b.Ward, Use: b.MainUse(), UseName: propertytax.UseName(b.MainUse()), PlinthArea: b.PlinthArea(),
		Status: b.Status, Owners: []apiOwner{}, Demands: []apiTaxDue{}}
	out.AnnualTax, out.ExemptGround = pt.AnnualTax(b)
	out.Exempt = out.ExemptGround != ""
	for _, o := range b.Owners {
		out.Owners = append(out.Owners, apiOwner{Name: o.Name, Share: o.Share})
	}
	dues, err := pt.Dues(b.ID)
	if err != nil {
		return out, err
	}
	for _, d := range dues {
		out.Demands = append(out.Demands, apiTaxDue{Due: d, UPI: pt.UPI(d)})
		out.Balance += d.Balance
	}
	return out, nil
}

// numberParam reads a building number from the path, where it comes
// URL-escaped (12%2F345A), as echo may pass it on.
func numberParam(c echo.Context) string {
	raw := c.Param("number")
	if n, err := url.PathUnescape(raw); err == nil {
		return n
	}
	return raw
}

func (s *Server) apiBuilding(c echo.Context) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	b, err := pt.Owned(actor(c), numberParam(c))
	if err != nil {
		return err
	}
	out, err := s.apiTaxBuildingOf(pt, b)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiClaimBuilding(c echo.Context) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	b, err := pt.Claim(actor(c), numberParam(c))
	if err != nil {
		return err
	}
	out, err := s.apiTaxBuildingOf(pt, b)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// apiWard reads the required ?ward=, refusing it naming the field.
func (s *Server) apiWard(c echo.Context, pt *propertytax.PropertyTax) (int, error) {
	raw := strings.TrimSpace(c.QueryParam("ward"))
	w, err := strconv.Atoi(raw)
	if err != nil {
		t := domain.T("Give the ward as its number, e.g. ?ward=5.", "വാർഡ് അതിന്റെ നമ്പറായി നൽകുക, ഉദാ. ?ward=5.")
		return 0, &domain.Error{Code: domain.EINVALID, Message: t.En, MessageML: t.Ml, Fields: map[string]domain.Text{"ward": t}}
	}
	return w, pt.CheckWard(w)
}

func (s *Server) apiBuildings(c echo.Context) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	ward, err := s.apiWard(c, pt)
	if err != nil {
		return err
	}
	list, _, err := pt.Ward(actor(c), ward, "", 0)
	if err != nil {
		return err
	}
	if list == nil {
		list = []propertytax.Summary{}
	}
	return c.JSON(http.StatusOK, map[string]any{"ward": ward, "buildings": list})
}

// apiDCBLine is a line of the DCB register.
type apiDCBLine struct {
	Ward int `json:"ward,omitempty"`
	propertytax.DCB
	// Efficiency is the share of this year's demand collected, in percent;
	// null when nothing was demanded.
	Efficiency *float64 `json:"collection_efficiency_percent"`
}

func dcbLine(ward int, d propertytax.DCB) apiDCBLine {
	l := apiDCBLine{Ward: ward, DCB: d}
	if e := d.Efficiency(); e >= 0 {
		l.Efficiency = &e
	}
	return l
}

func (s *Server) apiTaxDCB(c echo.Context) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	all, lines, err := s.taxDCB(pt)
	if err != nil {
		return err
	}
	wards := make([]apiDCBLine, 0, len(lines))
	for _, l := range lines {
		wards = append(wards, dcbLine(l.Ward, l.DCB))
	}
	return c.JSON(http.StatusOK, map[string]any{"year": pt.CurrentPeriod().FinancialYear(), "total": dcbLine(0, all), "wards": wards})
}

// apiDefaulter is a building owing tax, as the API lists it.
type apiDefaulter struct {
	Number string       `json:"number"`
	Owners domain.Text  `json:"owners"`
	Owed   domain.Paise `json:"owed_paise"`
	Oldest string       `json:"oldest_period"`
}

func (s *Server) apiTaxDefaulters(c echo.Context) error {
	pt, err := s.propertyTax()
	if err != nil {
		return err
	}
	ward, err := s.apiWard(c, pt)
	if err != nil {
		return err
	}
	list, err := pt.Defaulters(ward)
	if err != nil {
		return err
	}
	out := make([]apiDefaulter, 0, len(list))
	for _, d := range list {
		out = append(out, apiDefaulter{Number: d.Building.Number, Owners: domain.T(d.Building.OwnerNames("en"), d.Building.OwnerNames("ml")), Owed: d.Owed, Oldest: d.Oldest})
	}
	return c.JSON(http.StatusOK, map[string]any{"ward": ward, "defaulters": out})
}
