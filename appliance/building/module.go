package building

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/module"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/seal"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// Module is building permission as the appliance assembles it: the
// permit (scrutinised, inspected, decided), the same-day low-risk permit
// on self-certification, the occupancy certificate that hands the
// building to property tax, and the permit's renewal.
var Module = module.Module{
	Name:      "building",
	Catalogue: catalogue.ModuleBuildingPermission,
	Serves:    serves,
	Open:      open,
	Events:    Events,
}

// Services and what each does.
const (
	SvcPermit     = "building_permit"
	SvcLowRisk    = "self_certified_permit"
	SvcOccupancy  = "occupancy_certificate"
	SvcRenewal    = "permit_renewal"
	svcRegularise = "regularisation"
)

// Permits is the module's instance on one node.
type Permits struct {
	Store     *store.Store
	Rules     *Rules
	LocalBody domain.LocalBody
	Documents *documents.Renderer
	Seal      *seal.Key
	PublicURL func() string
	Workflow  *workflow.Workflow
	Now       func() time.Time
	Logger    *slog.Logger
	// Finance raises the permit and renewal fees; PropertyTax takes a
	// completed building into its register. The appliance sets both once
	// every module is open; without them a permit cannot be granted with
	// a fee, nor an occupancy certificate issued.
	Finance     *finance.Finance
	PropertyTax *propertytax.PropertyTax
}

func open(h *module.Host) (workflow.Rules, error) {
	rules, err := DefaultRules()
	if err != nil {
		return nil, err
	}
	return &Permits{Store: h.Store, Rules: rules, LocalBody: h.LocalBody, Documents: h.Documents, Seal: h.Seal,
		PublicURL: h.PublicURL, Workflow: h.Workflow, Now: h.Now, Logger: h.Logger}, nil
}

// serves decides which building permission services this module serves.
func serves(svc catalogue.Service) error {
	switch svc.Code {
	case SvcPermit, SvcLowRisk, SvcRenewal:
		if svc.Fee.Kind != catalogue.FeeComputed || svc.Issues != catalogue.IssuePermit {
			return fmt.Errorf("service %s: building permission reckons its fee (computed) and issues a permit", svc.Code)
		}
		if svc.Code == SvcPermit && !hasSteps(svc, domain.RoleOverseer, domain.RoleAssistantEngineer, domain.RoleSecretary) {
			return fmt.Errorf("service %s: a permit needs the overseer's inspection, the assistant engineer's scrutiny and the secretary's decision as steps", svc.Code)
		}
	case SvcOccupancy:
		if svc.Issues != catalogue.IssueOccupancyCertificate || !hasSteps(svc, domain.RoleOverseer, domain.RoleSecretary) {
			return fmt.Errorf("service %s: building permission issues an occupancy certificate after the overseer's inspection", svc.Code)
		}
	default:
		return module.NotServed(domain.T("its rules are still being written.", "ഇതിന്റെ ചട്ടങ്ങൾ ഇനിയും തയ്യാറാക്കുന്നു."))
	}
	return nil
}

func hasSteps(svc catalogue.Service, roles ...domain.Role) bool {
	for _, r := range roles {
		found := false
		for _, st := range svc.Steps {
			found = found || st.Role == r
		}
		if !found {
			return false
		}
	}
	return true
}

func fieldErr(field string, t domain.Text) error { return domain.FieldErrors{field: t}.Err() }

// planOf reads a plan from an application's form values.
func (m *Permits) planOf(v map[string]string) Plan {
	num := func(k string) Centi {
		f, _ := strconv.ParseFloat(strings.TrimSpace(v[k]), 64)
		return centi(f)
	}
	floors, _ := strconv.Atoi(v["floors"])
	p := Plan{LocalBodyKind: m.LocalBody.Kind, Use: v["occupancy"], PlotArea: num("plot_area_sqm"), FloorArea: num("built_up_area_sqm"),
		Footprint: num("footprint_sqm"), Floors: floors, Height: num("height_m"), RoadWidth: num("road_width_m"),
		Front: num("front_m"), Rear: num("rear_m"), Left: num("left_m"), Right: num("right_m")}
	if s := strings.TrimSpace(v["parking_spaces"]); s != "" {
		n, _ := strconv.Atoi(s)
		p.ParkingSpaces = &n
	}
	return p
}

// PlanFromForm reads a plan from a permit application's form values, in
// a kind of local body.
func PlanFromForm(kind string, v map[string]string) Plan {
	return (&Permits{LocalBody: domain.LocalBody{Kind: kind}}).planOf(v)
}

// formFields maps the scrutiny's field names to the form's, so that a
// refusal shows beside the field the applicant typed.
var formFields = map[string]string{
	"plot_area_m2": "plot_area_sqm", "floor_area_m2": "built_up_area_sqm", "footprint_m2": "footprint_sqm", "use": "occupancy",
}

func toForm(err error) error {
	de, ok := err.(*domain.Error)
	if !ok || de.Fields == nil {
		return err
	}
	fe := domain.FieldErrors{}
	for k, t := range de.Fields {
		if f, ok := formFields[k]; ok {
			k = f
		}
		fe.Add(k, t)
	}
	return fe.Err()
}

// Assess checks an application when it is made. A permit's plan is
// scrutinised: one that fails a mandatory check is taken only as a
// request for relaxation, which lists the failing checks; its application
// fee is due on applying. A low-risk permit must be low-risk, pass every
// check and carry every declaration; its application and permit fees are
// due together. An occupancy certificate needs the applicant's issued,
// valid permit, and a building as permitted. It implements
// workflow.Rules.
func (m *Permits) Assess(a workflow.Assessing) (workflow.Assessment, error) {
	v := a.Values
	switch a.Service.Code {
	case SvcPermit, SvcLowRisk:
		plan := m.planOf(v)
		res, err := m.Rules.Scrutinise(plan)
		if err != nil {
			return workflow.Assessment{}, toForm(err)
		}
		appFee := m.Rules.ApplicationFee(plan.FloorArea)
		if a.Service.Code == SvcLowRisk {
			if len(res.NotLowRisk) > 0 {
				var en, ml []string
				for _, t := range res.NotLowRisk {
					en, ml = append(en, t.En), append(ml, t.Ml)
				}
				return workflow.Assessment{}, fieldErr("occupancy", domain.T("This building cannot have a same-day permit on self-certification: "+strings.Join(en, " ")+" Apply for a building permit instead.",
					"ഈ കെട്ടിടത്തിന് സ്വയം സാക്ഷ്യപ്പെടുത്തൽ വഴി പെർമിറ്റ് ലഭിക്കില്ല: "+strings.Join(ml, " ")+" സാധാരണ കെട്ടിട പെർമിറ്റിന് അപേക്ഷിക്കുക."))
			}
			fe := domain.FieldErrors{}
			for _, d := range Declarations {
				if v[d.Field] != "yes" {
					fe.Add(d.Field, domain.T("The permit is given on this declaration: make it, or apply for a building permit instead.", "ഈ സത്യപ്രസ്താവനയിലാണ് പെർമിറ്റ് നൽകുന്നത്: അത് നൽകുക, അല്ലെങ്കിൽ സാധാരണ പെർമിറ്റിന് അപേക്ഷിക്കുക."))
				}
			}
			if err := fe.Err(); err != nil {
				return workflow.Assessment{}, err
			}
			return workflow.Assessment{Fee: appFee + res.Fee,
				FeeNote: domain.T(fmt.Sprintf("Application fee %s and permit fee %s (%s m² at Rs %d a m²)", appFee, res.Fee, plan.FloorArea, res.FeeRate),
					fmt.Sprintf("അപേക്ഷാ ഫീസ് %s, പെർമിറ്റ് ഫീസ് %s (%s ച.മീ., ച.മീ.-ന് %d രൂപ)", appFee, res.Fee, plan.FloorArea, res.FeeRate))}, nil
		}
		if !res.Pass && v["relaxation"] != "yes" {
			list := res.FailingList()
			return workflow.Assessment{}, fieldErr("relaxation", domain.T("The plan fails these rules: "+list.En+". Correct the plan, or submit it as a request for relaxation of these rules, giving your reasons.",
				"പ്ലാൻ ഈ ചട്ടങ്ങൾ പാലിക്കുന്നില്ല: "+list.Ml+". പ്ലാൻ തിരുത്തുക, അല്ലെങ്കിൽ കാരണങ്ങൾ സഹിതം ഇളവിനുള്ള അപേക്ഷയായി സമർപ്പിക്കുക."))
		}
		if !res.Pass && len(strings.TrimSpace(v["relaxation_reason"])) < 10 {
			return workflow.Assessment{}, fieldErr("relaxation_reason", domain.T("Say why each failing rule should be relaxed (at least 10 characters).", "ഓരോ ചട്ടത്തിലും ഇളവ് വേണ്ടതിന്റെ കാരണം എഴുതുക."))
		}
		note := domain.T(fmt.Sprintf("Application fee; the permit fee (%s) is demanded when the permit is granted", res.Fee), fmt.Sprintf("അപേക്ഷാ ഫീസ്; പെർമിറ്റ് ഫീസ് (%s) പെർമിറ്റ് അനുവദിക്കുമ്പോൾ", res.Fee))
		return workflow.Assessment{Fee: appFee, FeeNote: note}, nil
	case SvcOccupancy:
		p, err := m.permitFor(v["permit_number"], a.By, a.Now)
		if err != nil {
			return workflow.Assessment{}, err
		}
		if _, err := m.completedArea(p, v); err != nil {
			return workflow.Assessment{}, err
		}
		return workflow.Assessment{}, nil
	case SvcRenewal:
		p, err := m.permitFor(v["permit_number"], a.By, a.Now)
		if err != nil {
			return workflow.Assessment{}, err
		}
		if p.Renewals >= m.Rules.Validity.Renewals {
			return workflow.Assessment{}, fieldErr("permit_number", domain.T(fmt.Sprintf("Permit %s has been renewed %d time(s) already, as often as the rules allow; apply for a new permit.", p.Number, p.Renewals),
				fmt.Sprintf("%s എന്ന പെർമിറ്റ് അനുവദനീയമായത്ര തവണ പുതുക്കി; പുതിയ പെർമിറ്റിന് അപേക്ഷിക്കുക.", p.Number)))
		}
		fee := m.Rules.RenewalFee(p.Fee)
		return workflow.Assessment{Fee: fee, FeeNote: domain.T(fmt.Sprintf("Renewal fee: %d%% of the permit fee %s, at least Rs %d", m.Rules.Fees.Renewal.Percent, p.Fee, m.Rules.Fees.Renewal.MinimumRupees),
			fmt.Sprintf("പുതുക്കൽ ഫീസ്: പെർമിറ്റ് ഫീസിന്റെ %d%%, കുറഞ്ഞത് %d രൂപ", m.Rules.Fees.Renewal.Percent, m.Rules.Fees.Renewal.MinimumRupees))}, nil
	}
	return workflow.Assessment{}, fmt.Errorf("building: no rules for %s", a.Service.Code)
}

// Declaration is one statement a low-risk permit is given on.
type Declaration struct {
	Field string
	Text  domain.Text
}

// Declarations are the owner's and the licensee's affidavits a low-risk
// permit rests on; a false one cancels the permit.
var Declarations = []Declaration{
	{"owner_affidavit", domain.T("The owner declares on affidavit that the building will be built as the plan shows, that the land is theirs, and that a false declaration cancels the permit.", "പ്ലാൻ പ്രകാരമേ നിർമ്മിക്കൂ, ഭൂമി സ്വന്തമാണ്, തെറ്റായ പ്രസ്താവന പെർമിറ്റ് റദ്ദാക്കും എന്ന് ഉടമ സത്യവാങ്മൂലം നൽകുന്നു.")},
	{"licensee_affidavit", domain.T("The registered licensee certifies that the plan complies with the building rules.", "പ്ലാൻ കെട്ടിട നിർമ്മാണ ചട്ടങ്ങൾ പാലിക്കുന്നുവെന്ന് രജിസ്റ്റർ ചെയ്ത ലൈസൻസി സാക്ഷ്യപ്പെടുത്തുന്നു.")},
	{"not_paddy_wetland", domain.T("The land is not paddy land or wetland under the Kerala Conservation of Paddy Land and Wetland Act, 2008.", "ഭൂമി 2008-ലെ കേരള നെൽവയൽ-തണ്ണീർത്തട സംരക്ഷണ നിയമപ്രകാരമുള്ള നെൽവയലോ തണ്ണീർത്തടമോ അല്ല.")},
	{"not_crz", domain.T("The land is not in a Coastal Regulation Zone.", "ഭൂമി തീരദേശ നിയന്ത്രണ മേഖലയിൽ (സി.ആർ.ഇസഡ്.) അല്ല.")},
}
