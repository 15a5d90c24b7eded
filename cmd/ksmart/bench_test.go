package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ksmart/appliance/documents"
	"ksmart/bench/pgpeer"
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
		{[]string{"imports"}, "known: store, submit, certificate, receipt, import, memory, outbox, search, state, state-scale, state-snapshot, payments, demand, licences or scrutiny"},
		{[]string{"scrutiny", "--n", "0"}, "--n must be from 1 to 1000000"},
		{[]string{"demand", "--buildings", "0"}, "--buildings must be from 1 to 5000000"},
		{[]string{"licences", "--licences", "1"}, "--licences must be from 10 to 2000000"},
		{[]string{"submit", "--clients", "0"}, "--clients must be from 1 to 500"},
		{[]string{"submit", "--clients", "8", "--requests", "4"}, "--requests at least --clients"},
		{[]string{"submit", "--cpuprofile", "/nonexistent/dir/cpu.pprof"}, "--cpuprofile: open /nonexistent/dir/cpu.pprof: no such file or directory"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, stdout, stderr := ksmart(t, append([]string{"bench"}, c.args...)...)
			if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, one line saying %q", code, stdout, stderr, c.want)
			}
		})
	}
}

// needPostgres skips a test when PostgreSQL's server binaries are not
// installed, naming the package to install, or fails it under
// KSMART_REQUIRE_ALL=1 so that a CI machine without them cannot pass silently.
func needPostgres(t *testing.T) {
	t.Helper()
	if err := pgpeer.Installed(); err != nil {
		msg := "PostgreSQL is not installed: apt-get install -y postgresql: " + err.Error()
		if os.Getenv("KSMART_REQUIRE_ALL") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// runBenchSubmit runs `ksmart bench submit --json` with args. Its load process
// is this test binary run as ksmart (TestMain), which it inherits from the
// environment.
func runBenchSubmit(t *testing.T, args ...string) map[string]any {
	t.Helper()
	t.Setenv("KSMART_TEST_AS_MAIN", "1")
	return benchJSON(t, append([]string{"submit", "--json"}, args...)...)
}

// near reports whether a and b agree to within 1%.
func near(a, b float64) bool { return math.Abs(a-b) <= 0.01*math.Max(math.Abs(a), math.Abs(b)) }

// TestBenchSubmit_JSONReportsOursBesidePostgreSQLAndTheStoresRawRate runs
// `ksmart bench submit --json` small: citizens in a load process submit
// through HTTP, PostgreSQL writes the same rows, and both ratios are ours
// over the other's rate measured in the same run.
func TestBenchSubmit_JSONReportsOursBesidePostgreSQLAndTheStoresRawRate(t *testing.T) {
	needPostgres(t)
	dir := t.TempDir()
	r := runBenchSubmit(t, "--clients", "4", "--requests", "40", "--dir", dir)
	positive(t, r, "applications_per_s", "p50_ms", "p99_ms", "seconds", "payload_bytes", "store_writes_per_s", "store_p99_ms",
		"raw_bbolt_batch_per_s", "direct_submit_per_s", "ratio",
		"postgres_applications_per_s", "postgres_p50_ms", "postgres_p99_ms", "postgres_seconds", "postgres_payload_bytes", "postgres_ratio")
	if r["name"] != "submit" || r["clients"] != 4.0 || r["requests"] != 40.0 {
		t.Errorf("name, clients, requests = %v, %v, %v; want submit, 4, 40", r["name"], r["clients"], r["requests"])
	}
	ours, _ := r["applications_per_s"].(float64)
	store, _ := r["store_writes_per_s"].(float64)
	pg, _ := r["postgres_applications_per_s"].(float64)
	if ratio, _ := r["ratio"].(float64); !near(ratio, ours/store) {
		t.Errorf("ratio = %v, want applications_per_s / store_writes_per_s = %v", ratio, ours/store)
	}
	if ratio, _ := r["postgres_ratio"].(float64); !near(ratio, ours/pg) {
		t.Errorf("postgres_ratio = %v, want applications_per_s / postgres_applications_per_s = %v", ratio, ours/pg)
	}
	if p50, p99 := r["p50_ms"].(float64), r["p99_ms"].(float64); p50 > p99 {
		t.Errorf("p50 %v ms above p99 %v ms", p50, p99)
	}
	if p50, p99 := r["postgres_p50_ms"].(float64), r["postgres_p99_ms"].(float64); p50 > p99 {
		t.Errorf("PostgreSQL's p50 %v ms above its p99 %v ms", p50, p99)
	}
	// The file, two desk entries, the applicant's row, the message and two
	// events: every application whole.
	if r["postgres_rows_per_application"] != 7.0 {
		t.Errorf("postgres_rows_per_application = %v, want 7", r["postgres_rows_per_application"])
	}
	if v, _ := r["postgres"].(string); !strings.HasPrefix(v, "PostgreSQL 1") {
		t.Errorf("postgres = %q, want the peer's version", v)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the benchmark left %d files in --dir, e.g. %s", len(left), left[0].Name())
	}
}

// TestBenchSubmit_WithoutPostgreSQLSaysSoAndHasNoPeersFigures keeps the
// run without the peer honest: it says why, and has no PostgreSQL figures.
func TestBenchSubmit_WithoutPostgreSQLSaysSoAndHasNoPeersFigures(t *testing.T) {
	profile := filepath.Join(t.TempDir(), "cpu.pprof")
	r := runBenchSubmit(t, "--clients", "2", "--requests", "20", "--postgres=false", "--cpuprofile", profile)
	positive(t, r, "applications_per_s", "p50_ms", "p99_ms", "store_writes_per_s", "direct_submit_per_s", "ratio",
		"raw_http_per_s", "http_ratio", "server_cpu_us_per_application", "load_cpu_us_per_application",
		"direct_cpu_us_per_application", "raw_http_cpu_us_per_request", "raw_http_load_cpu_us_per_request",
		"page_writes_per_application", "page_bytes_per_application")
	if ours, raw, ratio := r["applications_per_s"].(float64), r["raw_http_per_s"].(float64), r["http_ratio"].(float64); !near(ratio, ours/raw) {
		t.Errorf("http_ratio = %v, want applications_per_s / raw_http_per_s = %v", ratio, ours/raw)
	}
	// One gzipped pprof profile of the appliance's process, as go tool
	// pprof reads it.
	if data, err := os.ReadFile(profile); err != nil || len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		t.Errorf("--cpuprofile wrote %d bytes (%v), want a gzipped pprof profile", len(data), err)
	}
	if r["postgres"] != "not run (--postgres=false)" {
		t.Errorf("postgres = %q, want it to say it was not run and why", r["postgres"])
	}
	for k := range r {
		if strings.HasPrefix(k, "postgres_") {
			t.Errorf("%s = %v without PostgreSQL", k, r[k])
		}
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

func TestBenchStateScale_JSONReportsSearchDiskCutAndFailoverOfThreeNodeProcesses(t *testing.T) {
	// The nodes are this test binary run as ksmart (TestMain).
	t.Setenv("KSMART_TEST_AS_MAIN", "1")
	r := benchJSON(t, "state-scale", "--json", "--bodies", "3", "--records", "3000", "--cut", "2s", "--cut-rate", "500", "--seconds", "1", "--dir", t.TempDir())
	positive(t, r, "search_p50_ms", "search_p99_ms", "disk_ratio", "snapshot_install_bytes", "snapshot_install_seconds",
		"failover_seconds", "index_records_per_s", "ship_events_per_s", "bodies_bytes", "events", "births", "deaths", "files", "cut_events")
	if r["name"] != "state-scale" || r["bodies"] != 3.0 || r["records"] != 3000.0 || r["nodes"] != 3.0 || r["node_kind"] != "process" {
		t.Errorf("name, bodies, records, nodes, node_kind = %v, %v, %v, %v, %v; want state-scale, 3, 3000, 3, process",
			r["name"], r["bodies"], r["records"], r["nodes"], r["node_kind"])
	}
	// Every planted name is found in its bodies at this size: nothing
	// else in the registers looks like it.
	if r["recall_at_10"] != 1.0 || r["expected_hits"].(float64) < 9 {
		t.Errorf("recall@10 %v over %v expected records, want 1 over at least 9", r["recall_at_10"], r["expected_hits"])
	}
	if src := r["snapshot_install_bytes_source"]; src != "proxy+metric" {
		t.Errorf("snapshot_install_bytes_source = %v, want proxy+metric (every state node counts what it fetches)", src)
	}
	if nb, _ := r["node_bytes"].([]any); len(nb) != 3 {
		t.Errorf("node_bytes = %v, want one size for each of the 3 nodes", r["node_bytes"])
	}
	if r["failover_acknowledged_by"] == "" || r["failover_acknowledged_by"] == r["failover_frozen_leader"] {
		t.Errorf("the batch after the freeze was acknowledged via %v, the frozen leader was %v: want another node",
			r["failover_acknowledged_by"], r["failover_frozen_leader"])
	}
	for _, k := range []string{"target_search_p99_met", "target_recall_met", "target_disk_ratio_met", "target_failover_met", "snapshot_installed"} {
		if _, ok := r[k].(bool); !ok {
			t.Errorf("%s = %v, want true or false", k, r[k])
		}
	}
}

func TestBenchStateScale_RefusesFewerThanThreeNodesOrTooFewRecords(t *testing.T) {
	for _, args := range [][]string{{"--nodes", "2"}, {"--bodies", "10", "--records", "100"}} {
		code, _, stderr := ksmart(t, append([]string{"bench", "state-scale"}, args...)...)
		if code != 2 || !strings.Contains(stderr, "must be at least") {
			t.Errorf("bench state-scale %v: exit %d, %q; want 2 and what to fix", args, code, stderr)
		}
	}
}
