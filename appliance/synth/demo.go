// Package synth makes synthetic Kerala data for the demo, tests and
// benchmarks: a demo municipality now, and (as the modules arrive) people,
// applications and registers that look like a real local body's.
package synth

import (
	"encoding/json"
	"fmt"

	"ksmart/appliance/domain"
)

// DemoLocalBody is the municipality `ksmart demo` serves. It is fictional,
// and says so in its name, so a demo receipt can never pass for a real one.
func DemoLocalBody() domain.LocalBody {
	wardNames := []domain.Text{
		domain.T("Fort", "കോട്ട"), domain.T("Market", "ചന്ത"), domain.T("Temple Road", "അമ്പലം റോഡ്"),
		domain.T("Boat Jetty", "ബോട്ട് ജെട്ടി"), domain.T("Railway Station", "റെയിൽവേ സ്റ്റേഷൻ"),
		domain.T("Hospital Junction", "ആശുപത്രി ജംഗ്ഷൻ"), domain.T("Paddy Fields", "പാടം"),
		domain.T("Church Hill", "പള്ളിക്കുന്ന്"), domain.T("Mosque Street", "പള്ളിത്തെരുവ്"),
		domain.T("School Lane", "സ്കൂൾ ലെയ്ൻ"), domain.T("Bus Stand", "ബസ് സ്റ്റാൻഡ്"),
		domain.T("Riverside", "പുഴയോരം"),
	}
	lb := domain.LocalBody{
		Code:     "DEMO01",
		Name:     domain.T("Demo Municipality (not a real local body)", "ഡെമോ മുനിസിപ്പാലിറ്റി (യഥാർത്ഥ തദ്ദേശ സ്ഥാപനമല്ല)"),
		Kind:     domain.KindMunicipality,
		District: domain.T("Ernakulam", "എറണാകുളം"),
	}
	for i, n := range wardNames {
		lb.Wards = append(lb.Wards, domain.Ward{Number: i + 1, Name: domain.T(fmt.Sprintf("%d. %s", i+1, n.En), fmt.Sprintf("%d. %s", i+1, n.Ml)),
			Boundary: demoWardBoundary(i)})
	}
	return lb
}

// Demo ward boundaries: the wards are a grid of 4 by 3 squares of
// DemoWardSize degrees (about 1.1 km), ward 1 at the south-west corner
// DemoSouthWest, numbered west to east, then north. Fictional, as the
// municipality is, on land near Kochi so that a map app shows a town.
const DemoWardSize = 0.01

var DemoSouthWest = [2]float64{9.975, 76.280} // latitude, longitude

func demoWardBoundary(i int) json.RawMessage {
	lat0 := DemoSouthWest[0] + float64(i/4)*DemoWardSize
	lon0 := DemoSouthWest[1] + float64(i%4)*DemoWardSize
	lat1, lon1 := lat0+DemoWardSize, lon0+DemoWardSize
	return json.RawMessage(fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f]]]}`,
		lon0, lat0, lon1, lat0, lon1, lat1, lon0, lat1, lon0, lat0))
}
