package propertytax

import (
	"slices"

	"ksmart/appliance/domain"
)

// The vocabulary of the register: the codes rates.json and the forms use,
// with their names for people.

// Uses of a floor.
const (
	UseResidential = "residential"
	UseCommercial  = "commercial"
	UseOffice      = "office"
	UseIndustrial  = "industrial"
	UseEducational = "educational"
	UseHospital    = "hospital"
	UseLodging     = "lodging"
	UseReligious   = "religious"
)

var useNames = map[string]domain.Text{
	UseResidential: domain.T("Residential", "വാസഗൃഹം"),
	UseCommercial:  domain.T("Commercial (shop)", "വാണിജ്യം (കട)"),
	UseOffice:      domain.T("Office", "ഓഫീസ്"),
	UseIndustrial:  domain.T("Industrial", "വ്യവസായം"),
	UseEducational: domain.T("Educational", "വിദ്യാഭ്യാസം"),
	UseHospital:    domain.T("Hospital", "ആശുപത്രി"),
	UseLodging:     domain.T("Lodging", "ലോഡ്ജ്"),
	UseReligious:   domain.T("Religious", "മതപരം"),
}

var zoneNames = map[string]domain.Text{
	"primary":   domain.T("Primary zone", "പ്രാഥമിക മേഖല"),
	"secondary": domain.T("Secondary zone", "ദ്വിതീയ മേഖല"),
	"tertiary":  domain.T("Tertiary zone", "തൃതീയ മേഖല"),
}

var roadNames = map[string]domain.Text{
	"main_road":  domain.T("On a main road", "പ്രധാന റോഡരികിൽ"),
	"other_road": domain.T("On another road", "മറ്റ് റോഡരികിൽ"),
	"no_road":    domain.T("No road access", "റോഡ് സൗകര്യമില്ല"),
}

var constructionNames = map[string]domain.Text{
	"rcc":      domain.T("Reinforced concrete roof", "കോൺക്രീറ്റ് മേൽക്കൂര"),
	"tiled":    domain.T("Tiled roof", "ഓടിട്ട മേൽക്കൂര"),
	"sheet":    domain.T("Sheet roof", "ഷീറ്റ് മേൽക്കൂര"),
	"thatched": domain.T("Thatched roof", "ഓലമേഞ്ഞ മേൽക്കൂര"),
}

var exemptionNames = map[string]domain.Text{
	ExemptSmallHouse:       domain.T("Owner-occupied house of up to 60 m²", "60 ച.മീ. വരെയുള്ള ഉടമ താമസിക്കുന്ന വീട്"),
	"religious_worship":    domain.T("Public religious worship", "പൊതു ആരാധനാലയം"),
	"charitable_education": domain.T("Education or charity without profit", "ലാഭേച്ഛയില്ലാത്ത വിദ്യാഭ്യാസം / ജീവകാരുണ്യം"),
	"government":           domain.T("Government building for public purposes", "പൊതു ആവശ്യത്തിനുള്ള സർക്കാർ കെട്ടിടം"),
}

// UseName, ZoneName, RoadName, ConstructionName and ExemptionName name a
// code for people (the code itself when unknown).
func UseName(code string) domain.Text          { return nameOf(useNames, code) }
func ZoneName(code string) domain.Text         { return nameOf(zoneNames, code) }
func RoadName(code string) domain.Text         { return nameOf(roadNames, code) }
func ConstructionName(code string) domain.Text { return nameOf(constructionNames, code) }
func ExemptionName(code string) domain.Text    { return nameOf(exemptionNames, code) }

func nameOf(names map[string]domain.Text, code string) domain.Text {
	if t, ok := names[code]; ok {
		return t
	}
	return domain.T(code, code)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
