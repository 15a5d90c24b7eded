package finance

import (
	"fmt"
	"math/big"
	"strings"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// Module is finance as the appliance assembles it. Its own service is the
// miscellaneous payment (a rent, a fine, a fee the office demanded), paid
// and receipted; the other finance services (refunds, deposits, contractor
// registration, hall booking) wait for their rules. Every other module's
// fees come to it through workflow.Money.
var Module = module.Module{
	Name:      "finance",
	Catalogue: catalogue.ModuleFinance,
	Serves: func(svc catalogue.Service) error {
		if svc.Code != "misc_payment" {
			return module.NotServed(domain.T("its rules are still being written.", "ഇതിന്റെ ചട്ടങ്ങൾ ഇനിയും തയ്യാറാക്കുന്നു."))
		}
		if svc.Issues != catalogue.IssueReceipt || svc.Fee.Kind != catalogue.FeeComputed {
			return fmt.Errorf("service %s: finance reckons its fee from the amount and issues a receipt; its fee must be \"computed\" and it must issue \"receipt\"", svc.Code)
		}
		return nil
	},
	Open: func(h *module.Host) (workflow.Rules, error) {
		chart, err := DefaultChart()
		if err != nil {
			return nil, err
		}
		return &Finance{Store: h.Store, Chart: chart, LocalBody: h.LocalBody, Now: h.Now, Logger: h.Logger, Seal: h.Seal,
			Documents: h.Documents, PublicURL: h.PublicURL, Counters: DefaultCounters}, nil
	},
	Events: Events,
}

// miscHeads are the heads a miscellaneous payment's purpose is income of.
var miscHeads = map[string]string{"rent": "150-10", "fine": "180-20", "licence_fee": "140-20", "application_fee": "140-80", "other": "180-90"}

// Assess reckons a miscellaneous payment's fee: the amount the payer was
// asked for, in rupees and paise (never a fraction of a paisa), credited to
// the head of its purpose. It implements workflow.Rules.
func (f *Finance) Assess(a workflow.Assessing) (workflow.Assessment, error) {
	if a.Service.Code != "misc_payment" {
		return workflow.Assessment{Fee: a.Service.Fee.Amount}, nil
	}
	amount, ok := paiseOf(a.Values["amount_rupees"])
	if !ok || amount <= 0 {
		return workflow.Assessment{}, fieldError("amount_rupees", domain.T("Give the amount in rupees, with at most two figures of paise (e.g. 2500 or 2500.50).", "തുക രൂപയിൽ നൽകുക, പൈസ പരമാവധി രണ്ടക്കം (ഉദാ. 2500 അല്ലെങ്കിൽ 2500.50)."))
	}
	head, ok := miscHeads[a.Values["head"]]
	if !ok {
		return workflow.Assessment{}, fieldError("head", domain.T("Choose what the payment is for.", "തുക എന്തിനാണെന്ന് തിരഞ്ഞെടുക്കുക."))
	}
	h, _ := f.Chart.Head(head)
	return workflow.Assessment{Fee: amount, FeeHead: head, FeeNote: h.Name}, nil
}

// paiseOf reads rupees written as a decimal ("2500", "2500.5", "2500.50")
// as paise; false when it has more than two decimals or is not a number.
func paiseOf(s string) (domain.Paise, bool) {
	s = strings.TrimSpace(s)
	r, ok := new(big.Rat).SetString(s)
	if !ok || strings.ContainsAny(s, "eE/") {
		return 0, false
	}
	r.Mul(r, big.NewRat(100, 1))
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	return domain.Paise(r.Num().Int64()), true
}

// Prepare issues a miscellaneous payment's receipt as its document: the
// receipt of its demand's payment. It implements workflow.Rules.
func (f *Finance) Prepare(p workflow.Preparing) (workflow.Apply, error) {
	if p.Kind != workflow.KindIssued || p.File.Service != "misc_payment" {
		return nil, nil
	}
	var r Receipt
	err := f.Store.View(func(tx *store.Tx) error {
		ds, err := demandsOf(tx, "file", p.File.ID)
		if err != nil {
			return err
		}
		for _, d := range ds {
			for _, n := range d.Receipts {
				got, err := getReceipt(tx, n)
				if err != nil {
					return err
				}
				if got.Status == ReceiptValid {
					r = got
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if r.Number == "" {
		return nil, conflict("The payment has no standing receipt yet; take the payment first.", "ഈ തുകയ്ക്ക് സാധുവായ രസീത് ഇതുവരെ ഇല്ല; ആദ്യം തുക സ്വീകരിക്കുക.")
	}
	pdf, err := f.PDF(r)
	if err != nil {
		return nil, err
	}
	sum := store.SumBlob(pdf)
	return func(tx *store.Tx, file *workflow.File) error {
		file.Issued = &workflow.IssuedDocument{Kind: catalogue.IssueReceipt, Number: r.Number, Title: domain.T("Receipt", "രസീത്"), Blob: sum}
		return tx.PutSummedBlob(sum, pdf)
	}, nil
}
