package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/propertytax"
)

// The money pages: a citizen's dues and receipts and paying them; the
// cashier's counter; the accountant's books. Every rule is finance's; these
// handlers read forms and draw pages.

// moneyRoutes registers the money routes with who may call them.
func (s *Server) moneyRoutes(e *echo.Echo, api *echo.Group) {
	citizen := signedIn(domain.RoleCitizen)
	payer := signedIn(append([]domain.Role{domain.RoleCitizen}, staffRoles...)...)
	cashier := signedIn(domain.RoleCashier, domain.RoleAccountant)
	books := signedIn(domain.RoleAccountant, domain.RoleSecretary, domain.RoleCashier, domain.RoleStateAuditor)
	supervisor := signedIn(domain.RoleAccountant, domain.RoleSecretary)

	// Public: the gateway sends the payer back here, and confirms by webhook
	// (signed, 401 otherwise); anyone checks a receipt's QR code.
	e.GET("/payments/return", s.paymentReturn)
	e.POST("/webhooks/payments/:gateway", s.paymentWebhook)
	e.GET("/receipts/verify/:number", s.receiptVerifyPage)

	e.GET("/payments", s.paymentsPage, citizen)
	e.POST("/payments/:demand/online", s.payOnline, payer)
	e.GET("/receipts/:number/pdf", s.receiptPDF, payer)

	e.GET("/office/cashier", s.cashierPage, cashier)
	e.POST("/office/cashier/:demand", s.collect, cashier)
	e.POST("/office/cashier/close", s.closeDay, cashier)
	e.GET("/office/receipts/:number", s.receiptPage, books)
	e.POST("/office/receipts/:number/cancel", s.cancelReceipt, supervisor)
	e.POST("/office/receipts/:number/bounce", s.bounceReceipt, supervisor)
	e.POST("/office/receipts/:number/realise", s.realiseReceipt, supervisor)
	e.GET("/office/accounts", s.accountsPage, books)
	e.GET("/office/accounts/day-book", s.dayBookPage, books)
	e.GET("/office/accounts/ledger", s.ledgerPage, books)
	e.GET("/office/accounts/collections", s.collectionsPage, books)
	e.POST("/office/accounts/remit", s.remit, supervisor)
	e.POST("/office/accounts/periods", s.closePeriod, supervisor)
	e.POST("/office/demands/:demand/waive", s.waive, supervisor)

	api.GET("/accounts/trial-balance", s.apiTrialBalance, signedIn(domain.RoleAccountant, domain.RoleSecretary))
	api.GET("/accounts/day-book", s.apiDayBook, books)
	api.GET("/accounts/ledger", s.apiLedger, books)
	api.GET("/accounts/collections", s.apiCollections, books)
	api.GET("/accounts/receipts-and-payments", s.apiSummary, books)
	api.GET("/accounts/orders", s.apiOrders, books)
	api.POST("/accounts/day-close", s.apiCloseDay, cashier)
	api.POST("/accounts/remittances", s.apiRemit, supervisor)
	api.POST("/accounts/periods", s.apiClosePeriod, supervisor)
	api.GET("/demands", s.apiDemands, citizen)
	api.GET("/demands/:demand", s.apiDemand, payer)
	api.POST("/demands/:demand/payments", s.apiCollect, cashier)
	api.POST("/demands/:demand/online", s.apiPayOnline, payer)
	api.POST("/demands/:demand/waive", s.apiWaive, supervisor)
	api.GET("/receipts/:number", s.apiReceipt, payer)
	api.GET("/receipts/:number/pdf", s.receiptPDF, payer)
	api.POST("/receipts/:number/cancel", s.apiCancel, supervisor)
	api.POST("/receipts/:number/bounce", s.apiBounce, supervisor)
	api.POST("/receipts/:number/realise", s.apiRealise, supervisor)
	api.GET("/receipts/:number/verification", s.apiVerifyReceipt)
}

// money is the money module, or an error when the node has none.
func (s *Server) money() (*finance.Finance, error) {
	if s.App.Finance == nil {
		return nil, domain.Bilingual(domain.EUNAVAILABLE, domain.T("This office takes no payments through ksmart yet.", "ഈ ഓഫീസ് ഇതുവരെ ksmart വഴി തുക സ്വീകരിക്കുന്നില്ല."))
	}
	return s.App.Finance, nil
}

func (s *Server) today() string { return s.App.Now().In(domain.IST).Format(time.DateOnly) }

// rupees reads an amount typed in rupees ("2500", "2500.50") as paise;
// a field error when it is not whole paise.
func rupees(field, v string) (domain.Paise, error) {
	v = strings.TrimSpace(strings.ReplaceAll(v, ",", ""))
	whole, frac, _ := strings.Cut(v, ".")
	if len(frac) > 2 || whole == "" || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return 0, &domain.Error{Code: domain.EINVALID, Message: "Give the amount in rupees, with at most two figures of paise.",
			Fields: map[string]domain.Text{field: domain.T("Give the amount in rupees, with at most two figures of paise (e.g. 250 or 250.50).", "തുക രൂപയിൽ നൽകുക, പൈസ പരമാവധി രണ്ടക്കം (ഉദാ. 250 അല്ലെങ്കിൽ 250.50).")}}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n > 1e12 {
		return 0, &domain.Error{Code: domain.EINVALID, Message: "The amount is too large.", Fields: map[string]domain.Text{field: domain.T("The amount is too large.", "തുക വളരെ വലുതാണ്.")}}
	}
	return domain.Paise(n), nil
}

// Citizens.

// dueView is a demand with what the citizen may do about it.
type dueView struct {
	finance.Demand
	UPI      string // the upi:// address to pay it by, when the office has one
	UPIQR    string // the same as an SVG QR code
	Receipts []finance.Receipt
}

func (s *Server) dues(list []finance.Demand) []dueView {
	f := s.App.Finance
	out := make([]dueView, 0, len(list))
	for _, d := range list {
		v := dueView{Demand: d, UPI: f.UPIURI(d)}
		if v.UPI != "" {
			v.UPIQR = qrSVG(v.UPI)
		}
		if rs, err := f.ReceiptsOf(d.ID); err == nil {
			v.Receipts = rs
		}
		out = append(out, v)
	}
	return out
}

func (s *Server) paymentsPage(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	u, _ := user(c)
	list, err := f.OwedBy(u.ID, 200)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "payments.html", "m_payments", map[string]any{
		"Dues": s.dues(list), "Online": f.Gateway != nil, "Paid": c.QueryParam("paid")})
}

func (s *Server) payOnline(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	o, err := f.PayOnline(c.Request().Context(), actor(c), c.Param("demand"))
	if err != nil {
		return err
	}
	// A page that goes on to the gateway, not a redirect: the pages' own
	// policy lets a form post only to this site (form-action 'self'),
	// which a browser applies to a redirect after the post too.
	return s.render(c, http.StatusOK, "pay_online.html", "m_payments", o)
}

// paymentReturn is where the gateway sends the payer back: the signed
// answer is checked (401 when it does not check), the payment credited,
// and the payer taken to what they paid for.
func (s *Server) paymentReturn(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	o, err := f.Returned(c.Request().Context(), c.QueryParams())
	if errors.Is(err, finance.ErrSignature) {
		return domain.Bilingual(domain.EUNAUTHENTICATED, domain.T("This payment answer is not signed by the payment gateway; nothing was recorded. If you paid, the office will see it when the gateway confirms.",
			"ഈ പേയ്മെന്റ് മറുപടിയിൽ ഗേറ്റ്‌വേയുടെ ഒപ്പില്ല; ഒന്നും രേഖപ്പെടുത്തിയില്ല. നിങ്ങൾ തുക അടച്ചെങ്കിൽ ഗേറ്റ്‌വേ സ്ഥിരീകരിക്കുമ്പോൾ ഓഫീസ് അത് കാണും."))
	}
	if err != nil {
		return err
	}
	if o.Ref.Kind == propertytax.RefBuilding && o.Ref.ID != "" {
		if u, ok := user(c); ok && u.Actor().IsStaff() {
			return c.Redirect(http.StatusSeeOther, "/office/buildings/"+url.PathEscape(o.Ref.ID)+"?paid="+url.QueryEscape(o.Receipt))
		}
		return c.Redirect(http.StatusSeeOther, "/buildings/"+url.PathEscape(o.Ref.ID)+"?paid="+url.QueryEscape(o.Receipt))
	}
	if o.Ref.Kind == "file" && o.Ref.ID != "" {
		if u, ok := user(c); ok && u.Actor().IsStaff() {
			return c.Redirect(http.StatusSeeOther, "/office/files/"+o.Ref.ID+"?paid="+url.QueryEscape(o.Receipt))
		}
		return c.Redirect(http.StatusSeeOther, "/applications/"+o.Ref.ID+"?paid="+url.QueryEscape(o.Receipt))
	}
	return c.Redirect(http.StatusSeeOther, "/payments?paid="+url.QueryEscape(o.Receipt))
}

// paymentWebhook takes a gateway's webhook: 401 when its signature does
// not check, 200 once the payment it reports is recorded (so the gateway
// stops resending), 404 for a gateway this office does not use.
func (s *Server) paymentWebhook(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, 256<<10))
	if err != nil {
		return err
	}
	err = f.Webhook(c.Param("gateway"), body, c.Request().Header)
	if errors.Is(err, finance.ErrSignature) {
		return c.JSON(http.StatusUnauthorized, map[string]string{"error": "signature does not match"})
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "recorded"})
}

func (s *Server) receiptPDF(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	r, err := f.Receipt(actor(c), c.Param("number"))
	if err != nil {
		return err
	}
	pdf, err := f.PDF(r)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="receipt-`+r.Number+`.pdf"`)
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

func (s *Server) receiptVerifyPage(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	v, err := f.Verify(c.Param("number"), c.QueryParam("d"), c.QueryParam("s"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	status := http.StatusOK
	if !v.Found {
		status = http.StatusNotFound
	}
	return s.render(c, status, "receipt_verify.html", "m_verify_receipt "+v.Number, v)
}

// The cashier.

func (s *Server) cashierPage(c echo.Context) error {
	return s.renderCashier(c, http.StatusOK, nil, nil)
}

// renderCashier draws the counter: the demands found for ?q= (an
// application or demand number), the payment form, and the counter's day.
func (s *Server) renderCashier(c echo.Context, status int, errs map[string]domain.Text, values map[string]string) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	q := strings.TrimSpace(c.QueryParam("q"))
	if values != nil && q == "" {
		q = values["q"]
	}
	counter := c.QueryParam("counter")
	if values != nil && values["counter"] != "" {
		counter = values["counter"]
	}
	if counter == "" {
		counter = f.Counters[0].Code
	}
	data := map[string]any{"Q": q, "Counters": f.Counters, "Counter": counter, "Errors": errs, "Values": values, "Modes": []string{finance.ModeCash, finance.ModeCheque, finance.ModeDD, finance.ModeUPI}}
	if q != "" {
		found, err := s.findDues(q)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		if err != nil {
			data["NotFound"] = err.(*domain.Error)
		}
		data["Dues"] = s.dues(found)
	}
	if day, err := f.Collections(actor(c), counter, s.today()); err == nil {
		data["Day"] = day
	}
	return s.render(c, status, "cashier.html", "m_cash_counter", data)
}

// findDues finds the demands a number names: an application's, or the
// demand itself.
func (s *Server) findDues(q string) ([]finance.Demand, error) {
	f := s.App.Finance
	if strings.HasPrefix(strings.ToUpper(q), "KS/") {
		id, err := s.App.Workflow.IDByNumber(q)
		if err != nil {
			return nil, err
		}
		m, err := f.OfFile(id)
		if err == nil && len(m.Demands) == 0 {
			err = domain.Bilingual(domain.ENOTFOUND, domain.T("Nothing is demanded on this application.", "ഈ അപേക്ഷയിൽ തുക ആവശ്യപ്പെട്ടിട്ടില്ല."))
		}
		return m.Demands, err
	}
	d, err := f.Demand(domain.Actor{ID: "cashier", Roles: []domain.Role{domain.RoleCashier}}, q)
	if err != nil {
		return nil, err
	}
	return []finance.Demand{d}, nil
}

func (s *Server) collect(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	p := finance.Payment{Counter: values["counter"], Mode: values["mode"],
		Instrument: finance.Instrument{Bank: values["bank"], Number: values["instrument_number"], Date: values["instrument_date"], Reference: values["reference"]}}
	p.Amount, err = rupees("amount_paise", values["amount"])
	if err == nil {
		var r finance.Receipt
		r, err = f.Collect(actor(c), c.Param("demand"), p)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/office/receipts/"+url.PathEscape(r.Number)+"?new=1")
		}
	}
	if errs, ok := fieldErrors(err); ok {
		values["demand"] = c.Param("demand")
		return s.renderCashier(c, http.StatusUnprocessableEntity, errs, values)
	}
	return err
}

func (s *Server) closeDay(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	if _, err := f.CloseDay(actor(c), values["counter"], values["date"]); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/office/accounts/collections?counter="+url.QueryEscape(values["counter"])+"&date="+url.QueryEscape(values["date"]))
}

func (s *Server) receiptPage(c echo.Context) error {
	return s.renderReceipt(c, http.StatusOK, nil, "")
}

func (s *Server) renderReceipt(c echo.Context, status int, errs map[string]domain.Text, reason string) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	r, err := f.Receipt(actor(c), c.Param("number"))
	if err != nil {
		return err
	}
	return s.render(c, status, "receipt.html", "m_receipt "+r.Number, map[string]any{"Receipt": r, "New": c.QueryParam("new") == "1", "Errors": errs, "Reason": reason,
		"Head": headName(f, r.Head)})
}

func headName(f *finance.Finance, code string) domain.Text {
	if h, ok := f.Chart.Head(code); ok {
		return h.Name
	}
	return domain.T(code, code)
}

func (s *Server) reverseReceipt(c echo.Context, do func(*finance.Finance, domain.Actor, string, string) (finance.Receipt, error)) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	_, err = do(f, actor(c), c.Param("number"), values["reason"])
	if errs, ok := fieldErrors(err); ok {
		return s.renderReceipt(c, http.StatusUnprocessableEntity, errs, values["reason"])
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/office/receipts/"+url.PathEscape(c.Param("number")))
}

func (s *Server) cancelReceipt(c echo.Context) error {
	return s.reverseReceipt(c, (*finance.Finance).Cancel)
}

func (s *Server) bounceReceipt(c echo.Context) error {
	return s.reverseReceipt(c, (*finance.Finance).Bounce)
}

func (s *Server) realiseReceipt(c echo.Context) error {
	return s.reverseReceipt(c, func(f *finance.Finance, by domain.Actor, number, _ string) (finance.Receipt, error) {
		return f.Realise(by, number)
	})
}

// The accountant.

func (s *Server) accountsPage(c echo.Context) error {
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
	orders, err := f.Orders(actor(c), 10*time.Minute)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "accounts.html", "m_accounts", map[string]any{"TB": tb, "Orders": orders, "Counters": f.Counters, "Today": s.today(),
		"Heads": f.Chart.Heads, "Source": f.Chart.Source, "Errors": map[string]domain.Text{}})
}

func (s *Server) dayBookPage(c echo.Context) error {
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
	return s.render(c, http.StatusOK, "daybook.html", "m_day_book", map[string]any{"Date": date, "Entries": list, "Heads": headNames(f)})
}

func headNames(f *finance.Finance) map[string]domain.Text {
	out := map[string]domain.Text{}
	for _, h := range f.Chart.Heads {
		out[h.Code] = h.Name
	}
	return out
}

func (s *Server) ledgerPage(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	head, from, to := c.QueryParam("head"), c.QueryParam("from"), c.QueryParam("to")
	if head == "" {
		head = f.Chart.Role(finance.RoleCash)
	}
	if to == "" {
		to = s.today()
	}
	if from == "" {
		from = to[:8] + "01"
	}
	l, err := f.Ledger(actor(c), head, from, to)
	if err != nil {
		return err
	}
	sum, err := f.ReceiptsAndPayments(actor(c), from, to)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "ledger.html", "m_ledger", map[string]any{"Ledger": l, "Heads": f.Chart.Heads, "Summary": sum})
}

func (s *Server) collectionsPage(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	counter, date := c.QueryParam("counter"), c.QueryParam("date")
	if counter == "" {
		counter = f.Counters[0].Code
	}
	if date == "" {
		date = s.today()
	}
	col, err := f.Collections(actor(c), counter, date)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "collections.html", "m_collection_register", map[string]any{"C": col, "Counters": append(f.Counters, finance.Counter{Code: finance.OnlineCounter, Name: domain.T("Online", "ഓൺലൈൻ")})})
}

func (s *Server) remit(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	if _, err := f.Remit(actor(c), values["counter"], values["date"], values["bank_ref"]); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/office/accounts/collections?counter="+url.QueryEscape(values["counter"])+"&date="+url.QueryEscape(values["date"]))
}

func (s *Server) closePeriod(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	if _, err := f.ClosePeriod(actor(c), values["month"]); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/office/accounts")
}

func (s *Server) waive(c echo.Context) error {
	f, err := s.money()
	if err != nil {
		return err
	}
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	amount, err := rupees("amount", values["amount"])
	if err != nil {
		return err
	}
	d, err := f.Waive(actor(c), c.Param("demand"), amount, values["reason"], values["write_off"] == "1")
	if err != nil {
		return err
	}
	if d.Ref.Kind == "file" {
		return c.Redirect(http.StatusSeeOther, "/office/files/"+d.Ref.ID)
	}
	return c.Redirect(http.StatusSeeOther, "/office/cashier?q="+url.QueryEscape(d.Number))
}
