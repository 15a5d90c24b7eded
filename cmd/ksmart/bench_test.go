package main

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"ksmart/appliance/documents"
)

// needMalayalamFont skips a test when no Malayalam font is installed,
// naming the package to install, or fails it under KSMART_REQUIRE_ALL=1 so
// that a CI machine without the font cannot pass silently.
func needMalayalamFont(t *testing.T) {
	t.Helper()
	if _, err := documents.SystemFonts(); err != nil {
		msg := "no Malayalam font: install the Debian package fonts-smc-manjari (apt-get install -y fonts-smc-manjari): " + err.Error()
		if os.Getenv("KSMART_REQUIRE_ALL") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// benchJSON runs a benchmark that must succeed and returns its one JSON
// object.
func benchJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	code, stdout, stderr := ksmart(t, append([]string{"bench"}, args...)...)
	var r map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &r) != nil {
		t.Fatalf("ksmart bench %v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
	}
	if strings.Count(strings.TrimSpace(stdout), "\n") != 0 {
		t.Errorf("--json printed more than one line: %q", stdout)
	}
	if !strings.Contains(stderr, "measuring: ") {
		t.Errorf("no progress on stderr: %q", stderr)
	}
	return r
}

// positive checks that each named figure of r (a path of object keys) is a
// number above zero.
func positive(t *testing.T, r map[string]any, paths ...string) {
	t.Helper()
	for _, path := range paths {
		var v any = r
		for _, k := range strings.Split(path, ".") {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		if f, ok := v.(float64); !ok || f <= 0 {
			t.Errorf("%s = %v, want a positive number; the output: %v", path, v, r)
		}
	}
}

func TestBenchCertificate_JSONReportsTimesAndRatioToFpdfsEmptyPage(t *testing.T) {
	needMalayalamFont(t)
	r := benchJSON(t, "certificate", "--json", "--n", "20")
	positive(t, r, "ratio", "pdf_bytes", "target_median_ms",
		"sequential.median_ms", "sequential.p99_ms", "sequential.pdfs_per_s",
		"parallel.median_ms", "parallel.p99_ms", "parallel.pdfs_per_s",
		"fpdf_empty_page.median_ms", "fpdf_empty_page.p99_ms", "fpdf_empty_page.pdfs_per_s")
	if r["name"] != "certificate" || r["malayalam"] != true || r["n"] != 20.0 {
		t.Errorf("name, malayalam, n = %v, %v, %v; want certificate, true, 20", r["name"], r["malayalam"], r["n"])
	}
	if par, _ := r["parallel"].(map[string]any); par["goroutines"] != 2.0 {
		t.Errorf("parallel measurement with %v goroutines, want 2", par["goroutines"])
	}
	if _, ok := r["target_met"].(bool); !ok {
		t.Errorf("target_met = %v, want true or false", r["target_met"])
	}
}

func TestBenchReceipt_JSONReportsMedianP99AndRatioToFpdfsEmptyPage(t *testing.T) {
	needMalayalamFont(t)
	r := benchJSON(t, "receipt", "--json", "--n", "20")
	positive(t, r, "median_ms", "p99_ms", "ratio", "pdf_bytes", "target_median_ms",
		"sequential.median_ms", "sequential.p99_ms", "parallel.median_ms", "parallel.pdfs_per_s",
		"fpdf_empty_page.median_ms", "fpdf_empty_page.pdfs_per_s")
	if r["name"] != "receipt" || r["malayalam"] != true || r["n"] != 20.0 {
		t.Errorf("name, malayalam, n = %v, %v, %v; want receipt, true, 20", r["name"], r["malayalam"], r["n"])
	}
	seq, _ := r["sequential"].(map[string]any)
	floor, _ := r["fpdf_empty_page"].(map[string]any)
	if r["median_ms"] != seq["median_ms"] || r["p99_ms"] != seq["p99_ms"] {
		t.Errorf("median_ms, p99_ms = %v, %v; want the sequential measurement's %v, %v", r["median_ms"], r["p99_ms"], seq["median_ms"], seq["p99_ms"])
	}
	if m, f, ratio := seq["median_ms"].(float64), floor["median_ms"].(float64), r["ratio"].(float64); math.Abs(ratio-m/f) > 1e-9*ratio {
		t.Errorf("ratio %v, want the receipt's median over fpdf's, %v/%v", ratio, m, f)
	}
	code, table, _ := ksmart(t, "bench", "receipt", "--n", "5")
	if code != 0 || !strings.Contains(table, "acknowledgement receipt") || !strings.Contains(table, "ratio, receipt median over fpdf's empty-page median") {
		t.Errorf("bench receipt's table: exit %d\n%s", code, table)
	}
}

func TestBenchImport_JSONReportsRowsPerSecondAndRatioToRawBbolt(t *testing.T) {
	dir := t.TempDir()
	r := benchJSON(t, "import", "--json", "--rows", "3000", "--dir", dir)
	positive(t, r, "ratio", "rows_per_s", "seconds", "store_mib", "seconds_per_1m_rows", "csv_mib",
		"raw_bbolt_rows_per_s", "raw_bbolt_seconds", "raw_bbolt_mib", "entries_json_mib")
	if r["name"] != "import" || r["rows"] != 3000.0 || r["search_index_included"] != false || !strings.Contains(r["note"].(string), "search index is not included") {
		t.Errorf("name, rows, search_index_included, note = %v, %v, %v, %v", r["name"], r["rows"], r["search_index_included"], r["note"])
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the benchmark left %d files in --dir, e.g. %s", len(left), left[0].Name())
	}
}

// TestBenchMemory_JSONReportsTheChildProcessesResidentMemory runs the
// memory benchmark small: the import and the server are this test binary
// run as ksmart, whose memory /proc reports.
func TestBenchMemory_JSONReportsTheChildProcessesResidentMemory(t *testing.T) {
	t.Setenv("KSMART_TEST_AS_MAIN", "1") // the children run main
	dir := t.TempDir()
	r := benchJSON(t, "memory", "--json", "--entries", "1000", "--files", "40", "--status", "20", "--dir", dir)
	positive(t, r, "serving_rss_bytes", "serving_peak_bytes", "import_peak_bytes", "import_seconds", "data_bytes", "ratio",
		"import.rss_bytes", "import.anon_bytes", "serving.anon_bytes", "serving.file_bytes", "target_serving_bytes", "target_import_bytes")
	if r["entries"] != 1000.0 || r["files"] != 40.0 || r["status_pages"] != 20.0 || r["kiosk_searches"] != 24.0 {
		t.Errorf("entries, files, status pages, kiosk searches = %v, %v, %v, %v; want 1000, 40, 20, 24", r["entries"], r["files"], r["status_pages"], r["kiosk_searches"])
	}
	rss, peak := r["serving_rss_bytes"].(float64), r["serving_peak_bytes"].(float64)
	serving, _ := r["serving"].(map[string]any)
	if peak < rss || serving["rss_bytes"] != rss || serving["anon_bytes"].(float64)+serving["file_bytes"].(float64) > rss {
		t.Errorf("serving: RSS %v, peak %v, split %v; want the peak at least the RSS, and anonymous and file pages within it", rss, peak, serving)
	}
	for _, target := range []string{"target_serving_met", "target_import_met"} {
		if _, ok := r[target].(bool); !ok {
			t.Errorf("%s = %v, want true or false", target, r[target])
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the benchmark left %d files in --dir, e.g. %s", len(left), left[0].Name())
	}
}

func TestBench_AMistakeInTheFlagsExitsWith2AndOneLine(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"certificate", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"certificate", "--n", "0"}, "--n must be at least 1"},
		{[]string{"certificate", "--n", "many"}, "invalid value"},
		{[]string{"receipt", "--n", "0"}, "--n must be at least 1"},
		{[]string{"memory", "--entries", "10"}, "--entries must be from 1000 to 1000000"},
		{[]string{"memory", "--files", "10", "--status", "11"}, "--status must be from 1 to --files"},
		{[]string{"import", "--rows", "0"}, "--rows must be from 1 to 1000000"},
		{[]string{"import", "--rows", "2000000"}, "--rows must be from 1 to 1000000"},
		{[]string{"import", "births.csv"}, `unexpected argument "births.csv"`},
		{[]string{"imports"}, "known: store, submit, certificate, receipt, import, memory, outbox, search, state, payments, demand, licences or scrutiny"},
		{[]string{"scrutiny", "--n", "0"}, "--n must be from 1 to 1000000"},
		{[]string{"demand", "--buildings", "0"}, "--buildings must be from 1 to 5000000"},
		{[]string{"licences", "--licences", "1"}, "--licences must be from 10 to 2000000"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, stdout, stderr := ksmart(t, append([]string{"bench"}, c.args...)...)
			if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, one line saying %q", code, stdout, stderr, c.want)
			}
		})
	}
}

// TestBenchSubmit_SmallRunSubmitsThroughHTTP keeps `ksmart bench submit`
// working: its applications must pass the services' own rules.
func TestBenchSubmit_SmallRunSubmitsThroughHTTP(t *testing.T) {
	code, out, errOut := ksmart(t, "bench", "submit", "--clients", "2", "--requests", "20", "--json")
	if code != 0 {
		t.Fatalf("bench submit: exit %d\n%s%s", code, out, errOut)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("bench submit --json printed %q: %v", out, err)
	}
	if ratio, _ := r["ratio"].(float64); ratio <= 0 {
		t.Fatalf("bench submit: no ratio in %s", out)
	}
}

func TestBenchOutbox_JSONReportsEveryAcknowledgementDeliveredOnBothChannelsAndRatioToGoMail(t *testing.T) {
	r := benchJSON(t, "outbox", "--applications", "200", "--clients", "8", "--json")
	positive(t, r, "ratio", "applications_per_s", "burst_seconds", "drain_seconds", "attachment_bytes", "workers",
		"email_msgs_per_s", "whatsapp_msgs_per_s", "raw_gomail_msgs_per_s", "raw_gomail_seconds")
	if r["name"] != "outbox" || r["applications"] != 200.0 || r["clients"] != 8.0 {
		t.Errorf("name, applications, clients = %v, %v, %v; want outbox, 200, 8", r["name"], r["applications"], r["clients"])
	}
	for _, k := range []string{"emails", "email_message_ids", "whatsapp_messages", "whatsapp_documents"} {
		if r[k] != 200.0 {
			t.Errorf("%s = %v, want 200: every application's acknowledgement delivered once", k, r[k])
		}
	}
	for _, k := range []string{"lag_events_after_burst", "pending_deliveries_after_burst"} {
		if v, ok := r[k].(float64); !ok || v < 0 {
			t.Errorf("%s = %v, want a count", k, r[k])
		}
	}
}

func TestBenchOutbox_AMistakeInTheFlagsExitsWith2AndOneLine(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"outbox", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"outbox", "--applications", "4", "--clients", "8"}, "--applications from --clients"},
		{[]string{"outbox", "--clients", "0"}, "--clients must be at least 1"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, stdout, stderr := ksmart(t, append([]string{"bench"}, c.args...)...)
			if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, one line saying %q", code, stdout, stderr, c.want)
			}
		})
	}
}

func TestBenchDemand_JSONReportsBuildingsSecondsAndRatioToRawBbolt(t *testing.T) {
	dir := t.TempDir()
	r := benchJSON(t, "demand", "--json", "--buildings", "300", "--dir", dir)
	positive(t, r, "buildings", "seconds", "ratio", "buildings_per_s", "raised", "exempt", "raw_bbolt_seconds", "amount_rupees")
	if r["name"] != "demand" || r["buildings"] != 300.0 || r["one_demand_each"] != true || r["balanced"] != true {
		t.Errorf("name, buildings, one_demand_each, balanced = %v, %v, %v, %v", r["name"], r["buildings"], r["one_demand_each"], r["balanced"])
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the benchmark left %d files in --dir, e.g. %s", len(left), left[0].Name())
	}
}

func TestBenchLicences_JSONReportsTheDaysJobAndRatioToARawBboltScan(t *testing.T) {
	dir := t.TempDir()
	r := benchJSON(t, "licences", "--json", "--licences", "300", "--applications", "3", "--dir", dir)
	positive(t, r, "licences", "seconds", "deemed_seconds", "expiry_seconds", "ratio", "raw_bbolt_seconds", "licences_per_s")
	if r["name"] != "licences" || r["deemed"] != 3.0 || r["expired"] != 300.0 || r["each_deemed_once"] != true || r["every_licence_expired"] != true {
		t.Errorf("name, deemed, expired, each once, every expired = %v, %v, %v, %v, %v", r["name"], r["deemed"], r["expired"], r["each_deemed_once"], r["every_licence_expired"])
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the benchmark left %d files in --dir", len(left))
	}
}

// TestBenchScrutiny_JSONHasItsFigures runs `ksmart bench scrutiny --json`
// briefly: scrutinies per second over a house's drawing and the share
// spent reading it (no timing is asserted).
func TestBenchScrutiny_JSONHasItsFigures(t *testing.T) {
	r := benchJSON(t, "scrutiny", "--json", "--n", "40")
	positive(t, r, "scrutinies", "median_ms", "p99_ms", "scrutinies_per_s", "parse_share", "typed_median_us", "dxf_bytes")
	if r["name"] != "scrutiny" || r["scrutinies"] != 40.0 {
		t.Errorf("name, scrutinies = %v, %v", r["name"], r["scrutinies"])
	}
}
