package finance

import (
	"fmt"
	"strings"
	"time"

	"ksmart/appliance/domain"
)

// Every store layout of finance, in one place (schema version 1).
//
//	fin_demand     "<id:010>"                      → Demand
//	fin_demand_of  "<ref kind>/<ref id>/<id:010>"  → demand id: a file's (or a kiosk's) demands
//	fin_payer      "<user id>/<id:010>"            → demand id: written before a citizen's demands
//	                                                 were a view (payers.go); no longer read or written
//	fin_receipt    receipt number                  → Receipt
//	fin_receipt_of "<demand id>/<receipt number>"  → receipt number: a demand's receipts
//	fin_counter    "<counter>/<YYYYMMDD>/<number>" → receipt number: the collection register
//	fin_entry      "<YYYYMMDD>/<seq:012>"          → Entry: the day book, in order
//	fin_line       "<head>/<YYYYMMDD>/<seq:012>"   → entry id: each head's ledger
//	fin_day        "<head>/<YYYYMMDD>"             → dayTotal: a head's debits and credits of a day
//	fin_order      "<id:010>"                      → Order: an online payment
//	key index fin_gateway_order  gateway's id      → order id
//	fin_close      "<counter>/<YYYYMMDD>"          → DayClose
//	fin_period     "YYYY-MM"                       → Period (closed months)
//	fin_copy_open  "<id:010>"                      → due time: kiosk copy demands not yet paid or lapsed
//	sequences fin/demand, fin/order (reserved); fin/entry and
//	fin/receipt/<counter>/<financial year> (gapless, in the write)
const (
	entityDemand    = "fin_demand"
	entityDemandOf  = "fin_demand_of"
	entityReceipt   = "fin_receipt"
	entityReceiptOf = "fin_receipt_of"
	entityCounter   = "fin_counter"
	entityEntry     = "fin_entry"
	entityLine      = "fin_line"
	entityDay       = "fin_day"
	entityOrder     = "fin_order"
	indexGateway    = "fin_gateway_order"
	entityClose     = "fin_close"
	entityPeriod    = "fin_period"
	entityCopyOpen  = "fin_copy_open"

	seqDemand = "fin/demand"
	seqOrder  = "fin/order"
	seqEntry  = "fin/entry"
)

// LocalEntities are finance's entities written without events (the kiosk
// copies' work list, cleared by a sweep): the appliance declares them to
// the store, whose check does not verify them.
var LocalEntities = []string{entityCopyOpen}

// dayKey is a date as keys hold it: YYYYMMDD, so keys sort by date.
func dayKey(date string) string { return strings.ReplaceAll(date, "-", "") }

// dateOf is the accounting date of an instant: its date in IST.
func dateOf(t time.Time) string { return t.In(domain.IST).Format(time.DateOnly) }

// FinancialYear is the financial year (April to March) a date falls in,
// e.g. "2026-27".
func FinancialYear(t time.Time) string {
	t = t.In(domain.IST)
	y := t.Year()
	if t.Month() < time.April {
		y--
	}
	return fmt.Sprintf("%d-%02d", y, (y+1)%100)
}

func receiptSequence(counter, fy string) string { return "fin/receipt/" + counter + "/" + fy }

func id10(n uint64) string { return fmt.Sprintf("%010d", n) }

// DemandEntity is the entity of demands, for readers of change sets (the
// state's counters) that follow demands without a store.
const DemandEntity = entityDemand
