package pgpeer

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// notInstalled is what a test says when PostgreSQL is missing.
const notInstalled = "PostgreSQL is not installed: apt-get install postgresql"

// requirePostgres skips the test when PostgreSQL's server binaries are not
// installed, or fails it when KSMART_REQUIRE_ALL=1 (CI, where nothing may skip).
func requirePostgres(tb testing.TB) {
	tb.Helper()
	if _, err := binDir(); err != nil {
		if os.Getenv("KSMART_REQUIRE_ALL") == "1" {
			tb.Fatal(notInstalled)
		}
		tb.Skip(notInstalled)
	}
}

// startPeer starts a peer in a temp directory and closes it at cleanup.
func startPeer(tb testing.TB) *Peer {
	tb.Helper()
	requirePostgres(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := Start(ctx, tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := p.Close(); err != nil {
			tb.Error(err)
		}
	})
	return p
}

// loadPeer starts a peer and loads records into it.
func loadPeer(tb testing.TB, records []Record) *Peer {
	tb.Helper()
	p := startPeer(tb)
	n, err := p.Load(context.Background(), slices.Values(records))
	if err != nil {
		tb.Fatal(err)
	}
	if n != len(records) {
		tb.Fatalf("loaded %d records, want %d", n, len(records))
	}
	return p
}

// The people of the synthetic registers, each name in both scripts.
var (
	givenNames = [][2]string{
		{"Anagha", "അനഘ"}, {"Sreekumar", "ശ്രീകുമാർ"}, {"Rajesh", "രാജേഷ്"}, {"Meera", "മീര"},
		{"Lakshmi", "ലക്ഷ്മി"}, {"Joseph", "ജോസഫ്"}, {"Fathima", "ഫാത്തിമ"}, {"Anil", "അനിൽ"},
		{"Aysha", "ആയിഷ"}, {"Thomas", "തോമസ്"}, {"Divya", "ദിവ്യ"}, {"Unnikrishnan", "ഉണ്ണികൃഷ്ണൻ"},
		{"Shabana", "ഷബാന"}, {"Gopalan", "ഗോപാലൻ"}, {"Reshma", "രേഷ്മ"}, {"Biju", "ബിജു"},
		{"Saritha", "സരിത"}, {"Kareem", "കരീം"}, {"Mariamma", "മറിയാമ്മ"}, {"Vishnu", "വിഷ്ണു"},
		{"Nandana", "നന്ദന"}, {"Suresh", "സുരേഷ്"}, {"Jincy", "ജിൻസി"}, {"Mohammed", "മുഹമ്മദ്"},
		{"Priya", "പ്രിയ"}, {"Arjun", "അർജുൻ"}, {"Sneha", "സ്നേഹ"}, {"Harikrishnan", "ഹരികൃഷ്ണൻ"},
		{"Sabitha", "സബിത"}, {"Jayan", "ജയൻ"}, {"Radhika", "രാധിക"}, {"Vinod", "വിനോദ്"},
		{"Ashraf", "അഷ്റഫ്"}, {"Bindu", "ബിന്ദു"}, {"Sajeev", "സജീവ്"}, {"Deepa", "ദീപ"},
		{"Manoj", "മനോജ്"}, {"Sindhu", "സിന്ധു"}, {"Abraham", "എബ്രഹാം"}, {"Rahul", "രാഹുൽ"},
	}
	familyNames = [][2]string{
		{"Nair", "നായർ"}, {"Menon", "മേനോൻ"}, {"Pillai", "പിള്ള"}, {"Varghese", "വർഗീസ്"},
		{"Kurian", "കുര്യൻ"}, {"Panicker", "പണിക്കർ"}, {"Namboothiri", "നമ്പൂതിരി"}, {"Haji", "ഹാജി"},
		{"Thampi", "തമ്പി"}, {"Kutty", "കുട്ടി"}, {"Warrier", "വാര്യർ"}, {"Mathew", "മാത്യു"},
		{"Raghavan", "രാഘവൻ"}, {"Ibrahim", "ഇബ്രാഹിം"}, {"Chacko", "ചാക്കോ"}, {"Krishnan", "കൃഷ്ണൻ"},
	}
	initials = [][2]string{
		{"K. R.", "കെ. ആർ."}, {"P.", "പി."}, {"M. S.", "എം. എസ്."}, {"T. V.", "ടി. വി."},
		{"C.", "സി."}, {"A. K.", "എ. കെ."}, {"V.", "വി."}, {"N. P.", "എൻ. പി."},
	}
)

// person makes a name in both scripts: given name and family name, one in
// four with initials before them.
func person(rng *rand.Rand) [2]string {
	g, f := givenNames[rng.IntN(len(givenNames))], familyNames[rng.IntN(len(familyNames))]
	en, ml := g[0]+" "+f[0], g[1]+" "+f[1]
	if rng.IntN(4) == 0 {
		i := initials[rng.IntN(len(initials))]
		en, ml = i[0]+" "+en, i[1]+" "+ml
	}
	return [2]string{en, ml}
}

// synthRecords makes n register entries from seed: births, deaths and
// marriages between 1990 and 2025, most named in both scripts, some in one
// only, with both parents (or the spouse) in both scripts.
func synthRecords(seed uint64, n int) iter.Seq[Record] {
	return func(yield func(Record) bool) {
		rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		start := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
		seq := map[string]int{}
		for i := range n {
			kind := []string{"birth", "birth", "death", "marriage"}[rng.IntN(4)]
			date := start.AddDate(0, 0, rng.IntN(36*365))
			key := kind + date.Format("2006")
			seq[key]++
			r := Record{
				ID:        fmt.Sprintf("r%07d", i),
				Kind:      kind,
				Number:    fmt.Sprintf("%s-%d/%d", strings.ToUpper(kind[:1]), seq[key], date.Year()),
				EventDate: date.Format(time.DateOnly),
			}
			name := person(rng)
			switch rng.IntN(10) {
			case 0:
				r.Names = []string{name[0]}
			case 1:
				r.Names = []string{name[1]}
			default:
				r.Names = name[:]
			}
			father, mother := person(rng), person(rng)
			r.Relations = []string{father[0], father[1], mother[0], mother[1]}
			if !yield(r) {
				return
			}
		}
	}
}

// The records the search tests look for, among the synthetic ones: Rajesh
// Nair, whose day is shared with people of similar names, and Harikrishnan
// Warrier and Sreekumar Menon, for the misspellings.
var (
	rajesh = Record{
		ID: "t-rajesh", Kind: "birth", Number: "B-9077/2019", EventDate: "2019-06-15",
		Names:     []string{"Rajesh Nair", "രാജേഷ് നായർ"},
		Relations: []string{"Gopalan Nair", "ഗോപാലൻ നായർ", "Lakshmi Amma", "ലക്ഷ്മി അമ്മ"},
	}
	hari = Record{
		ID: "t-hari", Kind: "birth", Number: "B-9012/2008", EventDate: "2008-02-29",
		Names:     []string{"Harikrishnan Warrier", "ഹരികൃഷ്ണൻ വാര്യർ"},
		Relations: []string{"Sajeev Warrier", "സജീവ് വാര്യർ", "Bindu Menon", "ബിന്ദു മേനോൻ"},
	}
	sree = Record{
		ID: "t-sree", Kind: "death", Number: "D-9031/1998", EventDate: "1998-11-02",
		Names:     []string{"Sreekumar Menon", "ശ്രീകുമാർ മേനോൻ"},
		Relations: []string{"Radhika Menon", "രാധിക മേനോൻ"},
	}
)

// searchRecords is 2,000 synthetic records with rajesh and hari among them,
// and a dozen more people on Rajesh's day, some with names close to his.
func searchRecords() []Record {
	records := slices.Collect(synthRecords(1, 2000))
	for i, name := range [][2]string{
		{"Rajesh Menon", "രാജേഷ് മേനോൻ"}, {"Suresh Nair", "സുരേഷ് നായർ"}, {"Rajan Nair", "രാജൻ നായർ"},
		{"K. R. Rajesh", "കെ. ആർ. രാജേഷ്"}, {"Thomas Kurian", "തോമസ് കുര്യൻ"}, {"Meera Nair", "മീര നായർ"},
	} {
		records = append(records, Record{
			ID: fmt.Sprintf("d-%d", i), Kind: "birth", Number: fmt.Sprintf("B-%d/2019", 9100+i), EventDate: rajesh.EventDate,
			Names: name[:], Relations: []string{"Vinod Pillai", "വിനോദ് പിള്ള", "Deepa Pillai", "ദീപ പിള്ള"},
		})
	}
	for i, r := range slices.Collect(synthRecords(2, 6)) {
		r.ID, r.EventDate = fmt.Sprintf("s-%d", i), rajesh.EventDate
		records = append(records, r)
	}
	records = append(records, rajesh, hari, sree)
	rand.New(rand.NewPCG(3, 3)).Shuffle(len(records), func(i, j int) { records[i], records[j] = records[j], records[i] })
	return records
}

func TestSearch_FindsTheRecordAKioskUserDescribes(t *testing.T) {
	t.Parallel()
	p := loadPeer(t, searchRecords())
	tests := []struct {
		name      string
		q         Query
		wantFirst string // the ID that must come first, if any
		wantNot   string // an ID that must not be found, if any
	}{
		{"English name and date", Query{Name: "Rajesh Nair", EventDate: "2019-06-15"}, "t-rajesh", ""},
		{"Malayalam name and date", Query{Name: "രാജേഷ് നായർ", EventDate: "2019-06-15"}, "t-rajesh", ""},
		{"name in capitals and words reversed", Query{Name: "NAIR RAJESH", EventDate: "2019-06-15"}, "t-rajesh", ""},
		{"misspelt name and date, by trigrams", Query{Name: "Harikrishnen", EventDate: "2008-02-29"}, "t-hari", ""},
		{"misspelt Malayalam name and date, by trigrams", Query{Name: "ഹരികൃഷണൻ", EventDate: "2008-02-29"}, "t-hari", ""},
		{"another spelling of the name and date (Srikumar)", Query{Name: "Srikumar", EventDate: "1998-11-02"}, "t-sree", ""},
		{"misspelt first name ranks above others of the family", Query{Name: "Rajesj Nair", EventDate: "2019-06-15"}, "t-rajesh", ""},
		{"name and father's name", Query{Name: "Rajesh Nair", Relation: "Gopalan Nair"}, "t-rajesh", ""},
		{"mother's name in Malayalam and date", Query{Relation: "ലക്ഷ്മി അമ്മ", EventDate: "2019-06-15"}, "t-rajesh", ""},
		{"register number in any case", Query{Number: "b-9077/2019"}, "t-rajesh", ""},
		{"another person's name on the same date", Query{Name: "Thomas Kurian", EventDate: "2019-06-15"}, "d-4", "t-rajesh"},
		{"a name nobody on that date has", Query{Name: "Fathima Ibrahim", EventDate: "2019-06-15"}, "", "t-rajesh"},
		{"right name, wrong date", Query{Name: "Rajesh Nair", EventDate: "2019-06-16"}, "", "t-rajesh"},
		{"right name, wrong number", Query{Name: "Rajesh Nair", Number: "B-9078/2019"}, "", "t-rajesh"},
		{"right name, another person's father", Query{Name: "Rajesh Nair", Relation: "Vinod Pillai", EventDate: "2019-06-15"}, "", "t-rajesh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, err := p.Search(context.Background(), tt.q, 10)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantFirst != "" && (len(ids) == 0 || ids[0] != tt.wantFirst) {
				t.Errorf("Search(%+v) = %v, want %s first", tt.q, ids, tt.wantFirst)
			}
			if tt.wantNot != "" && slices.Contains(ids, tt.wantNot) {
				t.Errorf("Search(%+v) = %v, want no %s", tt.q, ids, tt.wantNot)
			}
		})
	}

	t.Run("the day's register in order", func(t *testing.T) {
		ids, err := p.Search(context.Background(), Query{EventDate: "2019-06-15"}, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) < 13 || !slices.Contains(ids, "t-rajesh") || !slices.IsSorted(ids) {
			t.Errorf("Search(date) = %v, want the 13 or more records of 2019-06-15, t-rajesh among them, in ID order", ids)
		}
	})
	t.Run("size and version", func(t *testing.T) {
		size, err := p.SizeBytes(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if size < 1<<20 {
			t.Errorf("SizeBytes = %d, want the table and six indexes (over 1 MiB)", size)
		}
		if !strings.HasPrefix(p.Version(), "PostgreSQL ") || !strings.Contains(p.Version(), "pg_trgm") {
			t.Errorf("Version = %q", p.Version())
		}
	})
	t.Run("a bad date stops a load", func(t *testing.T) {
		bad := Record{ID: "bad", EventDate: "2019-13-45"}
		if _, err := p.Load(context.Background(), slices.Values([]Record{rajesh, bad})); err == nil || !strings.Contains(err.Error(), `"bad"`) {
			t.Errorf("Load of a bad date: %v, want an error naming the record", err)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		if _, err := p.Search(context.Background(), Query{Name: "Rajesh", EventDate: "15/06/2019"}, 10); err == nil {
			t.Error("a date not YYYY-MM-DD was accepted")
		}
		if ids, err := p.Search(context.Background(), Query{Name: "...", EventDate: "2019-06-15"}, 10); err != nil || len(ids) != 0 {
			t.Errorf("a name of no words found %v, %v; want nothing", ids, err)
		}
		if ids, err := p.Search(context.Background(), Query{Name: "Rajesh's | !(Nair) & <->:*"}, 10); err != nil || len(ids) == 0 {
			t.Errorf("a name with tsquery operators in it found %v, %v; want records of Rajesh Nair", ids, err)
		}
	})
}

func TestClose_StopsTheServerAndLeavesTheDirectory(t *testing.T) {
	t.Parallel()
	requirePostgres(t)
	// As root the server's user must reach the directory: open the test's
	// own temp directory to it, as a caller would, so that the cluster goes
	// where it is asked to.
	top := t.TempDir()
	for _, d := range []string{top, filepath.Dir(top)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(top, "pg", "data")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		t.Errorf("the cluster is not in %s: %v", dir, err)
	}
	if _, err := os.Stat(p.socket); err != nil {
		t.Fatalf("the server's socket: %v", err)
	}

	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p.socket); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Close the socket %s is still there (%v)", p.socket, err)
	}
	if p.serverRunning() {
		t.Error("after Close the server is still running")
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		t.Errorf("Close removed the caller's directory: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
}

func TestStart_RefusesADirectoryInUse(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/keep", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	requirePostgres(t)
	if p, err := Start(context.Background(), dir); err == nil {
		p.Close()
		t.Fatal("Start in a directory that is not empty succeeded")
	}
}
