package synth_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/synth"
)

// TestFillForm_ThePeopleOfAFormAreDifferentPeopleOfTheirRolesSex fills
// every form with people's names, over 300 seeds, and finds them coherent:
// a mother and a bride are women and a father and a groom men; a child or
// a deceased has the sex the form gives and a deceased's spouse the other;
// and no two people of one form share a given name or a whole name
// (husband and wife are not both Gireesh V., nor a death's father, spouse
// and informant one person).
func TestFillForm_ThePeopleOfAFormAreDifferentPeopleOfTheirRolesSex(t *testing.T) {
	cat, err := catalogue.Load()
	if err != nil {
		t.Fatal(err)
	}
	lb := synth.DemoLocalBody()
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	checked := 0
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 22))
		for _, svc := range cat.All() {
			var names []string
			for _, f := range svc.Fields {
				if f.Type == catalogue.FieldName {
					names = append(names, f.Name)
				}
			}
			if len(names) < 2 {
				continue
			}
			values, _ := synth.FillForm(rng, svc, lb, synth.NewPerson(rng), now)
			checked++
			want := map[string]string{"mother_name": "female", "bride_name": "female", "father_name": "male", "groom_name": "male"}
			if sex := values["sex"]; sex == "male" || sex == "female" {
				want["child_name"], want["deceased_name"] = sex, sex
				want["spouse_name"] = map[string]string{"male": "female", "female": "male"}[sex]
			}
			seen := map[string]string{}
			for _, n := range names {
				en := values[n+"_en"]
				if s, ok := want[n]; ok && synth.SexOfName(en) != s {
					t.Errorf("seed %d, %s: %s is %q, a %s name; want a %s's", seed, svc.Code, n, en, synth.SexOfName(en), s)
				}
				given, _, _ := strings.Cut(en, " ")
				for _, key := range []string{en, given} {
					if other, ok := seen[key]; ok {
						t.Errorf("seed %d, %s: %s and %s are both %q", seed, svc.Code, other, n, key)
					}
					seen[key] = n
				}
			}
		}
	}
	if checked < 300 {
		t.Fatalf("only %d forms with two names or more were filled", checked)
	}
	t.Logf("%d forms checked over 300 seeds", checked)
}
