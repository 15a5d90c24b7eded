package catalogue

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"ksmart/appliance/domain"
)

// now is a Tuesday morning in the office.
var now = time.Date(2026, 3, 10, 11, 0, 0, 0, domain.IST)

var kollam = domain.LocalBody{
	Code:     "M0701",
	Name:     domain.T("Demo Municipality", "ഡെമോ നഗരസഭ"),
	Kind:     domain.KindMunicipality,
	District: domain.T("Kollam", "കൊല്ലം"),
	Wards: []domain.Ward{
		{Number: 1, Name: domain.T("Chinnakada", "ചിന്നക്കട")},
		{Number: 2, Name: domain.T("Kadappakada", "കടപ്പാക്കട")},
		{Number: 3, Name: domain.T("Thevally", "തേവള്ളി")},
	},
}

func service(tb testing.TB, code string) Service {
	tb.Helper()
	s, ok := loadTB(tb).Get(code)
	if !ok {
		tb.Fatalf("no service %q in the catalogue", code)
	}
	return s
}

// goodBirth is a birth registration as an informant would type it.
func goodBirth() map[string]string {
	return map[string]string{
		"child_name_en":     "  Anagha   Nair ",
		"child_name_ml":     "അനഘ",
		"sex":               "female",
		"date_of_birth":     " 2026-03-01 ",
		"place_type":        "hospital",
		"still_birth":       "no",
		"reported_by":       "institution",
		"place_of_birth":    "District Hospital, Kollam",
		"mother_name_en":    "Lakshmi",
		"father_name_en":    "Suresh Kumar",
		"mother_age":        "28",
		"birth_weight_kg":   "3.10",
		"permanent_address": "House No. 12\r\nKadappakada\r\nKollam 691008",
		"ward":              "03",
		"informant_name_en": "Suresh Kumar",
		"informant_phone":   "98470 12345",
		"informant_email":   "suresh@example.com",
		"is_admin":          "true", // not a field of the form: dropped
	}
}

// fieldErrors returns the form keys err faults, failing the test if err is
// not an EINVALID error with a message in both languages for each.
func fieldErrors(tb testing.TB, err error) []string {
	tb.Helper()
	var e *domain.Error
	if !errors.As(err, &e) || e.Code != domain.EINVALID {
		tb.Fatalf("got %v, want an EINVALID *domain.Error", err)
	}
	for k, msg := range e.Fields {
		if msg.En == "" || !hasMalayalam(msg.Ml) {
			tb.Errorf("field %s: message not in both languages: %+v", k, msg)
		}
	}
	return slices.Sorted(maps.Keys(e.Fields))
}

func TestService_GoodBirthRegistrationPassesCleaned(t *testing.T) {
	got, err := service(t, "birth_registration").Validate(goodBirth(), kollam, now)
	if err != nil {
		t.Fatalf("a good form was refused: %v (%+v)", err, err.(*domain.Error).Fields)
	}
	want := map[string]string{
		"child_name_en":     "Anagha Nair",
		"child_name_ml":     "അനഘ",
		"sex":               "female",
		"date_of_birth":     "2026-03-01",
		"place_type":        "hospital",
		"still_birth":       "no",
		"reported_by":       "institution",
		"place_of_birth":    "District Hospital, Kollam",
		"mother_name_en":    "Lakshmi",
		"father_name_en":    "Suresh Kumar",
		"mother_age":        "28",
		"birth_weight_kg":   "3.1",
		"permanent_address": "House No. 12\nKadappakada\nKollam 691008",
		"ward":              "3",
		"informant_name_en": "Suresh Kumar",
		"informant_phone":   "+919847012345",
		"informant_email":   "suresh@example.com",
	}
	if !maps.Equal(got, want) {
		for k := range maps.Keys(want) {
			if got[k] != want[k] {
				t.Errorf("%s = %q, want %q", k, got[k], want[k])
			}
		}
		for k := range maps.Keys(got) {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected key %s = %q", k, got[k])
			}
		}
	}
}

func TestService_BadBirthRegistrationFaultsEveryField(t *testing.T) {
	form := goodBirth()
	delete(form, "mother_name_en")                        // required, missing
	form["father_name_en"] = strings.Repeat("a", 500)     // too long
	form["date_of_birth"] = "31-02-2026"                  // not YYYY-MM-DD
	form["sex"] = "unknown"                               // not a choice
	form["ward"] = "99"                                   // not a ward of the local body
	form["informant_phone"] = "12345"                     // not a phone number
	form["child_name_en"] = "<script>alert(1)</script>"   // not a name
	form["informant_email"] = "suresh at example dot com" // not an e-mail address

	got, err := service(t, "birth_registration").Validate(form, kollam, now)
	if got != nil {
		t.Errorf("a refused form returned values: %v", got)
	}
	want := []string{"child_name_en", "date_of_birth", "father_name_en", "informant_email",
		"informant_phone", "mother_name_en", "sex", "ward"}
	if keys := fieldErrors(t, err); !slices.Equal(keys, want) {
		t.Errorf("faulted fields %v, want %v", keys, want)
	}
}

func TestService_DateOfBirthMustBeARealPastDate(t *testing.T) {
	s := service(t, "birth_registration")
	for _, tc := range []struct {
		value string
		ok    bool
	}{
		{"2026-03-10", true},  // today
		{"2026-02-28", true},  // last month
		{"2024-02-29", true},  // a leap day
		{"2026-03-11", false}, // tomorrow
		{"2026-02-31", false}, // no such day
		{"2025-02-29", false}, // not a leap year
		{"31-02-2026", false}, // day first
		{"2026-3-1", false},   // no leading zeros
		{"2026/03/01", false},
		{"yesterday", false},
		{"", false}, // required
	} {
		form := goodBirth()
		form["date_of_birth"] = tc.value
		_, err := s.Validate(form, kollam, now)
		if tc.ok && err != nil {
			t.Errorf("%q refused: %v", tc.value, err)
		}
		if !tc.ok {
			if keys := fieldErrors(t, err); !slices.Equal(keys, []string{"date_of_birth"}) {
				t.Errorf("%q: faulted %v, want date_of_birth", tc.value, keys)
			}
		}
	}
}

func TestService_DateRuleFutureRefusesThePast(t *testing.T) {
	s := service(t, "video_kyc_abroad")
	form := map[string]string{
		"full_name_en": "Rahul Menon", "date_of_birth": "1990-05-05", "passport_number": "Z1234567",
		"country": "United Arab Emirates", "phone": "+971 50 123 4567", "email": "rahul@example.ae",
		"kerala_address": "Menon House, Thevally, Kollam", "preferred_date": "2026-03-09",
	}
	if keys := fieldErrors(t, mustFail(t, s, form)); !slices.Equal(keys, []string{"preferred_date"}) {
		t.Errorf("faulted %v, want preferred_date", keys)
	}
	form["preferred_date"] = "2026-03-12"
	got, err := s.Validate(form, kollam, now)
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	if got["phone"] != "+971501234567" {
		t.Errorf("overseas phone cleaned to %q", got["phone"])
	}
}

func mustFail(tb testing.TB, s Service, form map[string]string) error {
	tb.Helper()
	_, err := s.Validate(form, kollam, now)
	if err == nil {
		tb.Fatal("a bad form was accepted")
	}
	return err
}

func TestService_MalayalamNamePairPasses(t *testing.T) {
	s := service(t, "birth_registration")
	for _, tc := range []struct {
		en, ml string
		faults []string
	}{
		{"Anagha", "അനഘ", nil},
		{"Sreekumar K.", "ശ്രീകുമാർ കെ.", nil},
		{"Mary D'Souza", "മേരി ഡിസൂസ", nil},
		{"Ammu", "അമ്മു\u200d", nil}, // a joiner from an older keyboard
		{"Anagha", "Anagha", []string{"child_name_ml"}},
		{"അനഘ", "അനഘ", []string{"child_name_en"}},
		{"Anagha2", "അനഘ", []string{"child_name_en"}},
		{"Anagha", "അനഘ<b>", []string{"child_name_ml"}},
		{"Anagha", "൧൨൩", []string{"child_name_ml"}}, // Malayalam digits are no name
		{"Anagha\nNair", "അനഘ", []string{"child_name_en"}},
	} {
		form := goodBirth()
		form["child_name_en"], form["child_name_ml"] = tc.en, tc.ml
		got, err := s.Validate(form, kollam, now)
		if tc.faults == nil {
			if err != nil {
				t.Errorf("%q / %q refused: %v", tc.en, tc.ml, err)
			} else if got["child_name_ml"] != tc.ml || got["child_name_en"] != tc.en {
				t.Errorf("%q / %q cleaned to %q / %q", tc.en, tc.ml, got["child_name_en"], got["child_name_ml"])
			}
			continue
		}
		if err == nil {
			t.Errorf("%q / %q accepted", tc.en, tc.ml)
			continue
		}
		if keys := fieldErrors(t, err); !slices.Equal(keys, tc.faults) {
			t.Errorf("%q / %q: faulted %v, want %v", tc.en, tc.ml, keys, tc.faults)
		}
	}
}

func TestService_RequiredNameNeedsEnglishEvenWithMalayalam(t *testing.T) {
	form := goodBirth()
	form["mother_name_en"], form["mother_name_ml"] = "", "ലക്ഷ്മി"
	err := mustFail(t, service(t, "birth_registration"), form)
	if keys := fieldErrors(t, err); !slices.Equal(keys, []string{"mother_name_en"}) {
		t.Errorf("faulted %v, want mother_name_en", keys)
	}
}

func TestService_PhoneNumbers(t *testing.T) {
	for in, want := range map[string]string{
		"9847012345":        "+919847012345",
		"+91 98470 12345":   "+919847012345",
		"+91-98470-12345":   "+919847012345",
		"09847012345":       "+919847012345",
		"919847012345":      "+919847012345",
		"6282012345":        "+916282012345",
		"+971501234567":     "+971501234567",
		"+1 415 555 2671":   "+14155552671",
		"12345":             "",
		"5847012345":        "", // Indian mobiles start with 6-9
		"98470123456":       "", // 11 digits
		"+91 12345 67890":   "", // +91 but not a mobile
		"+1234567":          "", // 7 digits
		"+1234567890123456": "", // 16 digits
		"98470 12345 ext 2": "",
		"(984) 701-2345":    "",
	} {
		got, ok := normalisePhone(in)
		if ok != (want != "") || got != want {
			t.Errorf("normalisePhone(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestService_EmailAddresses(t *testing.T) {
	for in, want := range map[string]bool{
		"suresh@example.com":                     true,
		"a.b+tag@mail.example.in":                true,
		"o'brien@example.co.uk":                  true,
		"suresh@localhost":                       false,
		"suresh@@example.com":                    false,
		"Suresh <s@example.com>":                 false,
		"s..k@example.com":                       false,
		".s@example.com":                         false,
		"s@-example.com":                         false,
		"s@example..com":                         false,
		"s @example.com":                         false,
		strings.Repeat("a", 65) + "@example.com": false,
	} {
		if got := isEmail(in); got != want {
			t.Errorf("isEmail(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestService_FreeTextKeepsMarkupButRefusesControlCharacters(t *testing.T) {
	s := service(t, "general_petition")
	form := map[string]string{
		"applicant_name_en": "Suresh Kumar",
		"address":           "Thevally\r\nKollam",
		"phone":             "9847012345",
		"subject":           "<b>Street</b> & drain",
		"petition":          "<script>alert(1)</script>\r\n\tSecond line",
	}
	got, err := s.Validate(form, kollam, now)
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	if got["subject"] != "<b>Street</b> & drain" || got["petition"] != "<script>alert(1)</script>\n\tSecond line" {
		t.Errorf("free text changed: %q, %q", got["subject"], got["petition"])
	}

	form["subject"] = "Drain\x00"            // NUL
	form["petition"] = "Please \x07 act"     // BEL
	form["address"] = "Thevally \u202e llaK" // a right-to-left override
	form["email"] = "   "                    // blank optional: fine
	keys := fieldErrors(t, mustFail(t, s, form))
	if want := []string{"address", "petition", "subject"}; !slices.Equal(keys, want) {
		t.Errorf("faulted %v, want %v", keys, want)
	}

	form = map[string]string{"applicant_name_en": "Suresh", "address": "Kollam", "phone": "9847012345",
		"subject": "Line one\nline two", "petition": strings.Repeat("x", 5001)}
	keys = fieldErrors(t, mustFail(t, s, form))
	if want := []string{"petition", "subject"}; !slices.Equal(keys, want) {
		t.Errorf("faulted %v, want %v", keys, want)
	}
}

func TestService_NumbersObeyTheirBounds(t *testing.T) {
	s := service(t, "dando_licence")
	base := map[string]string{
		"trade_name": "Sree Bakery", "trade_type": "bakery", "trade_description": "Bakes and sells bread",
		"building_number": "KL-12/345", "ward": "2", "area_sqm": "45.5", "owner_name_en": "Sreedevi",
		"owner_address": "Chinnakada, Kollam", "phone": "9847012345", "trade_started_on": "2026-01-10",
	}
	if _, err := s.Validate(base, kollam, now); err != nil {
		t.Fatalf("a good licence form was refused: %v", err)
	}
	for _, bad := range []string{"0", "-5", "100001", "1e3", "45,5", "NaN", "Inf", "0x10", "12 sq m"} {
		form := maps.Clone(base)
		form["area_sqm"] = bad
		if keys := fieldErrors(t, mustFail(t, s, form)); !slices.Equal(keys, []string{"area_sqm"}) {
			t.Errorf("area %q: faulted %v", bad, keys)
		}
	}
}

func TestService_DocumentFieldsAreLeftToTheCaller(t *testing.T) {
	s := service(t, "building_permit")
	docs := s.DocumentFields()
	if len(docs) == 0 {
		t.Fatal("no document fields")
	}
	form := map[string]string{
		"owner_name_en": "Rahul Menon", "owner_address": "Thevally, Kollam", "phone": "9847012345",
		"ward": "1", "survey_number": "123/4", "village": "Thevally", "plot_area_sqm": "400",
		"built_up_area_sqm": "180", "floors": "2", "height_m": "7.5", "occupancy": "a1_residential",
		"work": "new", "licensee_name": "Anil Kumar", "licensee_number": "E-1234",
		"footprint_sqm": "95", "road_width_m": "5", "front_m": "4", "rear_m": "2", "left_m": "1.5", "right_m": "1.2",
		"plan": "uploaded-by-browser", // an upload is not a form value: dropped
	}
	got, err := s.Validate(form, kollam, now)
	if err != nil {
		t.Fatalf("refused although only uploads are missing: %v", err)
	}
	for _, d := range docs {
		if _, ok := got[d.Name]; ok {
			t.Errorf("document field %s came back as a value", d.Name)
		}
	}
}

// FuzzService_Validate checks that whatever a browser sends, Validate never
// panics and never hands back a value holding characters it must refuse.
func FuzzService_Validate(f *testing.F) {
	s := service(f, "birth_registration")
	f.Add("Anagha", "അനഘ", "District Hospital", "House 12\r\nKollam", "9847012345")
	f.Add("<script>", "\x00", "\u202e", "\xff\xfe", "+91")
	f.Fuzz(func(t *testing.T, nameEn, nameMl, place, address, phone string) {
		form := goodBirth()
		form["child_name_en"], form["child_name_ml"] = nameEn, nameMl
		form["place_of_birth"], form["permanent_address"], form["informant_phone"] = place, address, phone
		got, err := s.Validate(form, kollam, now)
		if err != nil {
			return
		}
		for k, v := range got {
			multiline := k == "permanent_address"
			if clean, ok := cleanText(v, multiline); !ok || clean != v {
				t.Fatalf("%s = %q came back unclean", k, v)
			}
		}
		if v, ok := got["child_name_en"]; ok && !isEnglishName(v) {
			t.Fatalf("child_name_en = %q is not an English name", v)
		}
		if v, ok := got["child_name_ml"]; ok && !isMalayalamName(v) {
			t.Fatalf("child_name_ml = %q is not a Malayalam name", v)
		}
	})
}
