package web

import (
	"html/template"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
)

// qrSVG draws a QR code for a page; a code that cannot be drawn (too long)
// is left out.
func qrSVG(content string) string {
	svg, err := documents.QRSVG(content, "UPI")
	if err != nil {
		return ""
	}
	return svg
}

// svgHTML marks a QR code drawn by documents as safe to put in a page.
func svgHTML(s string) template.HTML { return template.HTML(s) }

func (s *Server) apiTrialBalance(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	date := c.QueryParam("date")
	if date == "" {
		date = s.today()
	}
	tb, err := f.TrialBalance(actor(c), date)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tb)
}

func (s *Server) apiDayBook(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	date := c.QueryParam("date")
	if date == "" {
		date = s.today()
	}
	list, err := f.DayBook(actor(c), date)
	if err != nil {
		return err
	}
	if list == nil {
		list = []finance.Entry{}
	}
	return c.JSON(http.StatusOK, map[string]any{"date": date, "entries": list})
}

func (s *Server) apiLedger(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	l, err := f.Ledger(actor(c), c.QueryParam("head"), c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}

func (s *Server) apiCollections(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	col, err := f.Collections(actor(c), c.QueryParam("counter"), c.QueryParam("date"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, col)
}

func (s *Server) apiSummary(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	sum, err := f.ReceiptsAndPayments(actor(c), c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sum)
}

func (s *Server) apiOrders(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	list, err := f.Orders(actor(c), 10*time.Minute)
	if err != nil {
		return err
	}
	if list == nil {
		list = []finance.Order{}
	}
	return c.JSON(http.StatusOK, map[string]any{"orders": list})
}

func (s *Server) apiCloseDay(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	var in struct {
		Counter string `json:"counter"`
		Date    string `json:"date"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	dc, err := f.CloseDay(actor(c), in.Counter, in.Date)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, dc)
}

func (s *Server) apiRemit(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	var in struct {
		Counter string `json:"counter"`
		Date    string `json:"date"`
		BankRef string `json:"bank_ref"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	dc, err := f.Remit(actor(c), in.Counter, in.Date, in.BankRef)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, dc)
}

func (s *Server) apiClosePeriod(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	var in struct {
		Month string `json:"month"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	p, err := f.ClosePeriod(actor(c), in.Month)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// apiDue is a demand as the API shows it: with its balance, and the UPI
// address to pay it by.
type apiDue struct {
	finance.Demand
	Balance domain.Paise `json:"balance_paise"`
	UPI     string       `json:"upi,omitempty"`
}

func (s *Server) apiDueOf(d finance.Demand) apiDue {
	return apiDue{Demand: d, Balance: d.Balance(), UPI: s.App.Finance.UPIURI(d)}
}

func (s *Server) apiDemands(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	u, _ := user(c)
	list, err := f.OwedBy(u.ID, 500)
	if err != nil {
		return err
	}
	out := make([]apiDue, 0, len(list))
	for _, d := range list {
		out = append(out, s.apiDueOf(d))
	}
	return c.JSON(http.StatusOK, map[string]any{"demands": out})
}

func (s *Server) apiDemand(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	d, err := f.Demand(actor(c), c.Param("demand"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.apiDueOf(d))
}

// paymentRequest is the JSON body of POST /demands/{id}/payments.
type paymentRequest struct {
	Counter        string `json:"counter"`
	AmountPaise    int64  `json:"amount_paise"`
	Mode           string `json:"mode"`
	Bank           string `json:"bank"`
	InstrumentNo   string `json:"instrument_number"`
	InstrumentDate string `json:"instrument_date"`
	Reference      string `json:"reference"`
}

func (s *Server) apiCollect(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	var in paymentRequest
	if err := readJSON(c, &in); err != nil {
		return err
	}
	r, err := f.Collect(actor(c), c.Param("demand"), finance.Payment{Counter: in.Counter, Amount: domain.Paise(in.AmountPaise), Mode: in.Mode,
		Instrument: finance.Instrument{Bank: in.Bank, Number: in.InstrumentNo, Date: in.InstrumentDate, Reference: in.Reference}})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/receipts/"+r.Number)
	return c.JSON(http.StatusCreated, r)
}

func (s *Server) apiPayOnline(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	o, err := f.PayOnline(c.Request().Context(), actor(c), c.Param("demand"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, o)
}

func (s *Server) apiWaive(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	var in struct {
		AmountPaise int64  `json:"amount_paise"`
		Reason      string `json:"reason"`
		WriteOff    bool   `json:"write_off"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	d, err := f.Waive(actor(c), c.Param("demand"), domain.Paise(in.AmountPaise), in.Reason, in.WriteOff)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.apiDueOf(d))
}

func (s *Server) apiReceipt(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	r, err := f.Receipt(actor(c), c.Param("number"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) apiReverse(c echo.Context, do func(*finance.Finance, domain.Actor, string, string) (finance.Receipt, error)) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	r, err := do(f, actor(c), c.Param("number"), in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) apiCancel(c echo.Context) error { return s.apiReverse(c, (*finance.Finance).Cancel) }
func (s *Server) apiBounce(c echo.Context) error { return s.apiReverse(c, (*finance.Finance).Bounce) }

func (s *Server) apiRealise(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	r, err := f.Realise(actor(c), c.Param("number"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// receiptCheck is the API's answer about a receipt.
type receiptCheck struct {
	Number  string           `json:"number"`
	Found   bool             `json:"found"`
	Checked bool             `json:"code_checked"`
	Genuine bool             `json:"genuine"`
	Status  string           `json:"status,omitempty"`
	Problem *domain.Text     `json:"problem,omitempty"`
	Receipt *finance.Receipt `json:"receipt,omitempty"`
}

func (s *Server) apiVerifyReceipt(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	v, err := f.Verify(c.Param("number"), c.QueryParam("d"), c.QueryParam("s"))
	if err != nil {
		return err
	}
	out := receiptCheck{Number: v.Number, Found: v.Found, Checked: v.Checked, Genuine: v.Genuine(), Status: v.Status, Receipt: v.Receipt}
	if v.Problem != (domain.Text{}) {
		out.Problem = &v.Problem
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	status := http.StatusOK
	if !v.Found {
		status = http.StatusNotFound
	}
	return c.JSON(status, out)
}
