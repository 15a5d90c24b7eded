package kyc

import (
	"path/filepath"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/appliance/workflow"
)

// Module is video KYC as the appliance assembles it. It takes no
// applications of its own: the catalogue's video_kyc_abroad service is
// offered as a call booked from the application that needs it.
var Module = module.Module{
	Name:      "kyc",
	Catalogue: catalogue.ModuleUserManagement,
	Serves:    serves,
	Open:      open,
	Events:    Events,
}

// ServiceCode is the catalogue's video KYC service.
const ServiceCode = "video_kyc_abroad"

func serves(svc catalogue.Service) error {
	if svc.Code == ServiceCode {
		return module.NotServed(domain.T(
			"no separate application is needed: apply for the service you need (a marriage registration from abroad); when it needs video KYC your application is kept and you book a call with the registrar's office.",
			"പ്രത്യേക അപേക്ഷ ആവശ്യമില്ല: ആവശ്യമുള്ള സേവനത്തിന് (വിദേശത്തു നിന്നുള്ള വിവാഹ രജിസ്ട്രേഷൻ) അപേക്ഷിക്കുക; വീഡിയോ കെ.വൈ.സി. വേണമെങ്കിൽ അപേക്ഷ സൂക്ഷിച്ച് രജിസ്ട്രാർ ഓഫീസുമായി കോൾ ബുക്ക് ചെയ്യാം."))
	}
	return module.NotServed(domain.T("its rules are still being written.", "ഇതിന്റെ ചട്ടങ്ങൾ ഇനിയും തയ്യാറാക്കുന്നു."))
}

// open makes the node's KYC; the appliance opens it (Open) after setting
// its Settings.
func open(h *module.Host) (workflow.Rules, error) {
	return &KYC{Store: h.Store, Catalogue: h.Catalogue, Calendar: h.Calendar, Now: h.Now, Logger: h.Logger,
		Dir: filepath.Join(h.Dir, "kyc")}, nil
}

// Assess implements workflow.Rules; KYC serves no application (serves
// offers none), so none reaches it.
func (k *KYC) Assess(a workflow.Assessing) (workflow.Assessment, error) {
	return workflow.Assessment{}, domain.Errorf(domain.EUNAVAILABLE, "video KYC takes no applications of its own")
}

// Prepare implements workflow.Rules: KYC approves and issues nothing.
func (k *KYC) Prepare(workflow.Preparing) (workflow.Apply, error) { return nil, nil }
