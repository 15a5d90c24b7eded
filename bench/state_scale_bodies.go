package bench

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/synth"
	"ksmart/appliance/synth/legacy"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// The bodies of the state-scale benchmark: each a real local body's data
// directory, written the way a body's own records get there fastest — its
// old registers imported from CSV (civil's import, thousands of rows a
// commit) and its files submitted through workflow.Submit from concurrent
// counters (group-committed) — so the state receives the events, change
// sets and documents a real body ships.

// scaleDistricts are Kerala's 14 districts; body i lies in district i mod 14.
var scaleDistricts = []domain.Text{
	domain.T("Thiruvananthapuram", "തിരുവനന്തപുരം"), domain.T("Kollam", "കൊല്ലം"), domain.T("Pathanamthitta", "പത്തനംതിട്ട"),
	domain.T("Alappuzha", "ആലപ്പുഴ"), domain.T("Kottayam", "കോട്ടയം"), domain.T("Idukki", "ഇടുക്കി"), domain.T("Ernakulam", "എറണാകുളം"),
	domain.T("Thrissur", "തൃശ്ശൂർ"), domain.T("Palakkad", "പാലക്കാട്"), domain.T("Malappuram", "മലപ്പുറം"), domain.T("Kozhikode", "കോഴിക്കോട്"),
	domain.T("Wayanad", "വയനാട്"), domain.T("Kannur", "കണ്ണൂർ"), domain.T("Kasaragod", "കാസർകോട്"),
}

// sentinelName is the given name of each body's last record: a word no
// synthetic register holds, so that one search for it counts the bodies
// whose whole log the state has indexed.
const sentinelName = "Xyloquendar"

// plantsPerBody is how many named people of the relevance set each body
// holds.
const plantsPerBody = 3

// scaleBody is one generated body: its code, data directory and what it
// holds.
type scaleBody struct {
	code, dir             string
	births, deaths, files int
	records               int // register entries and files, planted ones included
}

// plant is a person of the relevance set: the name planted and where.
type plant struct {
	name string
	hits []scaleHit // the records a search for the name must find
}

// scaleHit is a record as the state's search names it.
type scaleHit struct{ body, number string }

// bodyCode is the code of body i.
func bodyCode(i int) string { return fmt.Sprintf("KLB%04d", i+1) }

// bodyLocal is body i's identity: the demo's wards, its own code, name
// and district.
func bodyLocal(i int) domain.LocalBody {
	lb := synth.DemoLocalBody()
	lb.Code = bodyCode(i)
	lb.Name = domain.T(fmt.Sprintf("Bench Panchayat %d (synthetic)", i+1), fmt.Sprintf("ബെഞ്ച് പഞ്ചായത്ത് %d (സാങ്കൽപ്പികം)", i+1))
	lb.Kind = domain.KindGramaPanchayat
	lb.District = scaleDistricts[i%len(scaleDistricts)]
	return lb
}

// inventedWord is a name-like word no Kerala name dictionary holds, drawn
// from rng, ending in end.
func inventedWord(rng *rand.Rand, end string) string {
	const cons, vows = "zqxvkdrgt", "aeiou"
	var b strings.Builder
	b.WriteByte("ZQXV"[rng.IntN(4)])
	for range 2 {
		b.WriteByte(vows[rng.IntN(len(vows))])
		b.WriteByte(cons[rng.IntN(len(cons))])
	}
	b.WriteString(end)
	return b.String()
}

// plantSet decides the relevance set: plantsPerBody people in each body,
// every fifth of them with a namesake in the next body, so that a search
// must find both across bodies. It returns each body's planted names (by
// body index) and the set.
func plantSet(bodies int) ([][]string, []plant) {
	rng := rand.New(rand.NewPCG(2026, 21))
	seen := map[string]bool{}
	per := make([][]string, bodies)
	var names []string
	for b := range bodies {
		for k := range plantsPerBody {
			var name string
			for name == "" || seen[name] {
				name = inventedWord(rng, "an") + " " + inventedWord(rng, "ttil")
			}
			seen[name] = true
			names = append(names, name)
			per[b] = append(per[b], name)
			if (b*plantsPerBody+k)%5 == 0 && bodies > 1 {
				per[(b+1)%bodies] = append(per[(b+1)%bodies], name)
			}
		}
	}
	hits := map[string][]scaleHit{}
	for b, list := range per {
		for k, name := range list {
			hits[name] = append(hits[name], scaleHit{body: bodyCode(b), number: plantedNumber(k)})
		}
	}
	set := make([]plant, len(names))
	for i, name := range names {
		set[i] = plant{name: name, hits: hits[name]}
	}
	return per, set
}

// plantedNumber is the register number of the k'th planted row of a body:
// numbers of 2020, a year the synthetic registers never reach (they start
// in 1970 at 20,000 entries a year).
func plantedNumber(k int) string { return fmt.Sprintf("B-%d/2020", k+1) }

// makeBody writes body i's data directory under dir: births, deaths and
// files adding up to records, then its planted people and its sentinel,
// last in its log.
func makeBody(dir string, i, records int, planted []string) (scaleBody, error) {
	b := scaleBody{code: bodyCode(i), dir: filepath.Join(dir, bodyCode(i))}
	rest := records - len(planted) - 1
	b.files, b.deaths = rest/10, rest/10
	b.births = rest - b.files - b.deaths
	lb := bodyLocal(i)
	app, err := appliance.Open(appliance.Config{Dir: b.dir, LocalBody: &lb, Logger: slog.New(slog.DiscardHandler), NoTwoStep: true})
	if err != nil {
		return b, err
	}
	defer app.Close()
	registrar, err := synth.DemoRegistrar(app)
	if err != nil {
		return b, err
	}
	seed := uint64(1000 + i)
	if err := importCSV(app, registrar, "births", func(w io.Writer) error { return legacy.Births(w, b.births, seed) }, b.births); err != nil {
		return b, err
	}
	if err := importCSV(app, registrar, "deaths", func(w io.Writer) error { return legacy.Deaths(w, b.deaths, seed) }, b.deaths); err != nil {
		return b, err
	}
	if err := submitFiles(app, lb, b.files, seed); err != nil {
		return b, err
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	names := append(append([]string(nil), planted...), sentinelName+" "+inventedWord(rng, "ttil"))
	if err := importCSV(app, registrar, "births", func(w io.Writer) error { return plantedRows(w, names) }, len(names)); err != nil {
		return b, fmt.Errorf("the planted names: %w", err)
	}
	b.records = b.births + b.deaths + b.files + len(names)
	return b, nil
}

// importCSV imports rows of a register that write writes, as ksmart import
// does, and fails unless every row came in.
func importCSV(app *appliance.Appliance, registrar, register string, write func(io.Writer) error, rows int) error {
	if rows <= 0 {
		return nil
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw)) }()
	rep, err := app.ImportRegister(register, pr, "bench", registrar, nil)
	pr.Close()
	if err != nil {
		return fmt.Errorf("importing %s: %w", register, err)
	}
	if rep.Imported != rows {
		first := ""
		if len(rep.Problems) > 0 {
			first = fmt.Sprintf("; the first, line %d: %s", rep.Problems[0].Line, rep.Problems[0].Reason)
		}
		return fmt.Errorf("%d of %d %s imported%s", rep.Imported, rows, register, first)
	}
	return nil
}

// plantedRows writes births named names, numbered plantedNumber(k), in
// English only, as civil's import takes them.
func plantedRows(w io.Writer, names []string) error {
	if _, err := fmt.Fprintln(w, legacy.BirthHeader); err != nil {
		return err
	}
	for k, name := range names {
		day := 1 + k%28
		_, err := fmt.Fprintf(w, "%s,2020-02-%02d,%s,,female,%02d-01-2020,Govt. Hospital,Lakshmi Devi,,Raghavan Nair,,\"Planted House, Kochi\",%d\n",
			plantedNumber(k), day, name, day, 1+k%12)
		if err != nil {
			return err
		}
	}
	return nil
}

// submitFiles submits n general petitions at the counter from 16
// concurrent front-office desks, so that the store group-commits them as
// a busy office's would be.
func submitFiles(app *appliance.Appliance, lb domain.LocalBody, n int, seed uint64) error {
	if n <= 0 {
		return nil
	}
	svc, ok := app.Catalogue.Get("general_petition")
	if !ok {
		return fmt.Errorf("the catalogue has no general_petition service")
	}
	const desks = 16
	var next atomic.Int64
	return parallelErr(desks, func(d int) error {
		rng := rand.New(rand.NewPCG(seed, uint64(d)))
		by := domain.Actor{ID: fmt.Sprintf("bench-front-office-%d", d), Name: "Front office", Roles: []domain.Role{domain.RoleFrontOffice}}
		for next.Add(1) <= int64(n) {
			p := synth.NewPerson(rng)
			values, _ := synth.FillForm(rng, svc, lb, p, app.Now())
			_, err := app.Workflow.Submit(by, workflow.Submission{Service: svc.Code, Values: values, Channel: workflow.ChannelCounter,
				Applicant: workflow.Applicant{Name: p.Name}})
			if err != nil {
				return fmt.Errorf("submitting a file: %w", err)
			}
		}
		return nil
	})
}

// writeBenchEvents writes n events of the benchmark's own type (entity
// "bench", which no module reads) in one store write: the load while a
// follower is cut off, and the batch a failover must carry.
func writeBenchEvents(st *store.Store, first, n int) error {
	_, err := st.Write(func(tx *store.Tx) error {
		for i := range n {
			id := fmt.Sprintf("L%09d", first+i)
			doc := map[string]any{"n": first + i, "note": "state-scale load"}
			if err := tx.Put("bench", id, doc); err != nil {
				return err
			}
			if err := tx.Emit("bench", EventWritten, "bench", id, doc); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

// dirBytes is the size of every file under dir.
func dirBytes(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			n += fi.Size()
		}
		return nil
	})
	return n, err
}
