package finance

import (
	"log/slog"
	"time"

	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/seal"
	"ksmart/store"
)

// Finance is the money module of one local body. Create it with its
// fields set; beyond the store it keeps only which demands are in each
// citizen's name, a view of the demands built at start or first use
// (payers.go).
type Finance struct {
	Store     *store.Store
	Chart     *Chart
	LocalBody domain.LocalBody
	Now       func() time.Time
	Logger    *slog.Logger
	// Seal signs receipts' QR codes; Documents draws them. PublicURL is
	// the address the QR codes and the gateway's return point to.
	Seal      *seal.Key
	Documents *documents.Renderer
	PublicURL func() string
	// Gateway takes payments online; nil when none is configured.
	Gateway Gateway
	// UPI is the local body's UPI address, for payment QR codes; its VPA is
	// "" when there is none.
	UPI UPI
	// Counters are the cash counters receipts are numbered by, each with
	// its own gapless series per financial year.
	Counters []Counter

	payers *payerView
}

// Counter is a cash counter of the office.
type Counter struct {
	Code string      `json:"code"` // 1-4 capital letters or digits, e.g. "C1"
	Name domain.Text `json:"name"`
}

// OnlineCounter is the series online payments are received under.
const OnlineCounter = "ON"

// UPI is the local body's UPI payee: its virtual payment address and the
// name a payer's app shows.
type UPI struct {
	VPA   string `json:"vpa"`
	Payee string `json:"payee"`
}

// DefaultCounters is one counter, for a local body that names none.
var DefaultCounters = []Counter{{Code: "C1", Name: domain.T("Cash counter 1", "ക്യാഷ് കൗണ്ടർ 1")}}

func (f *Finance) counter(code string) (Counter, bool) {
	for _, c := range f.Counters {
		if c.Code == code {
			return c, true
		}
	}
	return Counter{}, false
}

// Who may do what with money. Cashiers collect; the accountant and the
// secretary supervise (cancel a receipt, record a returned cheque, waive,
// close a day's cash or a period) and read the books.
func mayCollect(by domain.Actor) error {
	if by.HasAny(domain.RoleCashier, domain.RoleAccountant) {
		return nil
	}
	return domain.Bilingual(domain.EFORBIDDEN, domain.T("Only a cashier or the accountant takes payments at the counter.", "കൗണ്ടറിൽ തുക സ്വീകരിക്കുന്നത് കാഷ്യറോ അക്കൗണ്ടന്റോ മാത്രമാണ്."))
}

func maySupervise(by domain.Actor) error {
	if by.HasAny(domain.RoleAccountant, domain.RoleSecretary) {
		return nil
	}
	return domain.Bilingual(domain.EFORBIDDEN, domain.T("Only the accountant or the secretary may do this.", "അക്കൗണ്ടന്റിനോ സെക്രട്ടറിക്കോ മാത്രമേ ഇത് ചെയ്യാനാകൂ."))
}

func mayReadBooks(by domain.Actor) error {
	if by.HasAny(domain.RoleAccountant, domain.RoleSecretary, domain.RoleCashier, domain.RoleStateAuditor) {
		return nil
	}
	return domain.Bilingual(domain.EFORBIDDEN, domain.T("Only the accounts section reads the books.", "കണക്കുപുസ്തകങ്ങൾ അക്കൗണ്ട്സ് വിഭാഗത്തിന് മാത്രം."))
}

func fieldError(field string, t domain.Text) error {
	fe := domain.FieldErrors{}
	fe.Add(field, t)
	return fe.Err()
}

func conflict(en, ml string) error { return domain.Bilingual(domain.ECONFLICT, domain.T(en, ml)) }
