package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"ksmart/appliance"
	"ksmart/appliance/civil"
)

// countingBody counts the bytes an HTTP client has taken of a body.
type countingBody struct {
	r io.Reader
	n atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// importProcess runs the test binary as `ksmart args...` in a process of
// its own, with stdin as its standard input, and returns its exit status
// and output.
func importProcess(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "KSMART_TEST_AS_MAIN=1")
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("ksmart %v: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// importCSV writes a births file with the given rows under the header.
func importCSV(t *testing.T, rows ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "births.csv")
	body := "\uFEFFregister_number,registration_date,child_name_en,child_name_ml,sex,date_of_birth,mother_name_en,mother_name_ml,permanent_address,ward\r\n" + strings.Join(rows, "\r\n") + "\r\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	goodBirths = []string{
		`B-1/2024,2024-01-20,Anagha K. R.,അനഘ കെ. ആർ.,female,2024-01-05,Lakshmi,ലക്ഷ്മി,"Kizhakkethil House, Thrikkakara",1`,
		`B-2/2024,22-01-2024,,,male,2024-01-10,Fathima,ഫാത്തിമ,"Pallikkara, Kakkanad",2`,
		`SB-1/2024,2024-02-02,,,female,2024-01-30,Meera,,Kakkanad,3`,
	}
	badBirths = []string{
		`B-3/2024,2024-01-21,Divya,ദിവ്യ,female,31-02-2024,Saritha,,Edappally,2`,
		`B-4/2024,2024-01-21,Nandana,നന്ദന,female,2024-01-12,Reshma,,Edappally,9`,
	}
)

var summaryLine = regexp.MustCompile(`(?m)^births: (\d+) rows read, (\d+) imported, (\d+) already present, (\d+) not imported \(bad\), in [0-9.]+m?s$`)

func checkSummary(t *testing.T, stdout string, read, imported, present, bad int) {
	t.Helper()
	m := summaryLine.FindStringSubmatch(stdout)
	if m == nil || m[1] != fmt.Sprint(read) || m[2] != fmt.Sprint(imported) || m[3] != fmt.Sprint(present) || m[4] != fmt.Sprint(bad) {
		t.Fatalf("summary: want %d read, %d imported, %d present, %d bad; got:\n%s", read, imported, present, bad, stdout)
	}
}

// addRegistrar adds the staff account "suma", the registrar, to a data
// directory: an imported register names the registrar answerable for it.
func addRegistrar(t *testing.T, dir string) {
	t.Helper()
	if code, _, stderr := ksmart(t, "user", "add", "--data", dir, "--login", "suma", "--name", "Suma Devi K.", "--roles", "registrar"); code != 0 {
		t.Fatalf("add the registrar: %s", stderr)
	}
}

func TestImport_BirthsIntoAStoppedDataDirectoryListsBadLinesAndExits1(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 1)
	addRegistrar(t, dir)
	file := importCSV(t, goodBirths[0], badBirths[0], goodBirths[1], badBirths[1], goodBirths[2])

	code, stdout, stderr := importProcess(t, "", "import", "births", file, "--data", dir, "--registrar", "suma")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (some rows bad); stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	checkSummary(t, stdout, 5, 3, 0, 2)
	if !strings.Contains(stdout, "line 3: date_of_birth \"31-02-2024\" is not a date") || !strings.Contains(stdout, "line 5: ward \"9\" is not one of the wards of Thrikkakara Municipality (wards 1 to 3)") {
		t.Errorf("bad rows not listed by line:\n%s", stdout)
	}
	if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "2 of 5 rows were not imported") {
		t.Errorf("stderr %q; want one line saying how many rows were not imported", stderr)
	}

	// The flag may come first, and a second run adds nothing.
	code, stdout, _ = importProcess(t, "", "import", "--data", dir, "births", file, "--registrar", "suma")
	if code != 1 {
		t.Fatalf("second run: exit %d", code)
	}
	checkSummary(t, stdout, 5, 0, 3, 2)

	// Only the good rows, from standard input: nothing new, nothing bad.
	code, stdout, stderr = importProcess(t, strings.Join(append([]string{"register_number,registration_date,child_name_en,sex,date_of_birth,mother_name_en"},
		"B-1/2024,2024-01-20,Anagha K. R.,female,2024-01-05,Lakshmi", "B-5/2024,2024-03-01,Vishnu,male,2024-02-20,Jincy"), "\n"), "import", "births", "-", "--data", dir, "--registrar", "suma")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 0 when every row is imported or present", code, stderr)
	}
	checkSummary(t, stdout, 2, 1, 1, 0)
	if code, stdout, _ := ksmart(t, "check", "--data", dir); code != 0 {
		t.Errorf("check after the imports: %d %s", code, stdout)
	}
}

func TestImport_ListsTheFirst50BadRowsAndCountsTheRest(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 1)
	addRegistrar(t, dir)
	var rows []string
	for i := 1; i <= 60; i++ {
		rows = append(rows, fmt.Sprintf("B-%d/2024,2024-01-20,Anagha,,female,2024-01-05,Lakshmi,,Kakkanad,7", i))
	}
	code, stdout, _ := ksmart(t, "import", "births", importCSV(t, rows...), "--data", dir, "--registrar", "suma")
	lines := regexp.MustCompile(`(?m)^line \d+: `).FindAllString(stdout, -1)
	if code != 1 || len(lines) != 50 || !strings.Contains(stdout, "line 51: ward") || strings.Contains(stdout, "line 52:") || !strings.Contains(stdout, "\n... and 10 more\n") {
		t.Fatalf("exit %d, %d lines listed:\n%s", code, len(lines), stdout)
	}
	checkSummary(t, stdout, 60, 0, 0, 60)
}

func TestImport_MistakesExitWithOneLine(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 1)
	addRegistrar(t, dir)
	if code, _, stderr := ksmart(t, "user", "add", "--data", dir, "--login", "anitha", "--name", "Anitha K.", "--roles", "section_clerk"); code != 0 {
		t.Fatal(stderr)
	}
	file := importCSV(t, goodBirths...)
	wrongHeader := filepath.Join(t.TempDir(), "deaths.csv")
	os.WriteFile(wrongHeader, []byte("register_number,registration_date,name,sex,date_of_death\nD-1/2024,2024-01-02,Gopalan,male,2024-01-01\n"), 0o600)
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no register", []string{"--data", dir}, 2, "give the register (births, deaths, marriages or buildings) and the CSV FILE"},
		{"unknown register", []string{"licences", file, "--data", dir}, 2, `unknown register "licences"; import births, deaths, marriages or buildings`},
		{"wrong flag", []string{"births", file, "--dir", dir}, 2, "flag provided but not defined: -dir"},
		{"no file", []string{"deaths", "--data", dir}, 2, "give the CSV FILE of deaths"},
		{"no data", []string{"births", file}, 2, "give --data DIR"},
		{"extra argument", []string{"births", file, "more.csv", "--data", dir}, 2, `unexpected argument "more.csv"`},
		{"no registrar", []string{"births", file, "--data", dir}, 2, "give --registrar LOGIN: the registrar answerable for the imported entries"},
		{"a registrar who is no one", []string{"births", file, "--data", dir, "--registrar", "nobody"}, 1, `No staff account "nobody"`},
		{"a registrar who is a clerk", []string{"births", file, "--data", dir, "--registrar", "anitha"}, 1, "anitha (Anitha K.) is not an active registrar"},
		{"missing file", []string{"births", file + ".nope", "--data", dir, "--registrar", "suma"}, 1, "cannot read the file to import"},
		{"not a data directory", []string{"births", file, "--data", t.TempDir(), "--registrar", "suma"}, 1, "holds no ksmart.db"},
		{"header of another register", []string{"deaths", wrongHeader, "--data", dir, "--registrar", "suma"}, 1, `unknown column "name"; missing column deceased_name_en`},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := ksmart(t, append([]string{"import"}, c.args...)...)
			if code != c.code || stdout != "" || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d and one line with %q", code, stdout, stderr, c.code, c.want)
			}
		})
	}
	code, stdout, _ := ksmart(t, "import", "-h")
	if code != 0 || !strings.Contains(stdout, "Usage: ksmart import births|deaths|marriages FILE.csv --data DIR --registrar LOGIN") || !strings.Contains(stdout, "marriages register_number*,registration_date*,groom_name_en*") {
		t.Errorf("import -h: exit %d\n%s", code, stdout)
	}
}

func TestImport_ThroughTheRunningAppliance(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "live")
	p := start(t, "demo", "--data", dir, "--addr", "127.0.0.1:0", "--applications", "5")
	file := importCSV(t, goodBirths[0], badBirths[0], goodBirths[1], goodBirths[2])
	code, stdout, stderr := importProcess(t, "", "import", "births", file, "--data", dir, "--registrar", "registrar")
	if code != 1 || !strings.Contains(stdout, "[through the running appliance]") || !strings.Contains(stdout, "line 3: date_of_birth") {
		t.Fatalf("import into a running appliance: exit %d\n%s\n%s", code, stdout, stderr)
	}
	checkSummary(t, strings.ReplaceAll(stdout, " [through the running appliance]", ""), 4, 3, 0, 1)
	if code, stdout, stderr := importProcess(t, "", "import", "deaths", file, "--data", dir, "--registrar", "registrar"); code != 1 || !strings.Contains(stderr, "unknown column") || stdout != "" {
		t.Errorf("a births file as deaths, through the appliance: exit %d %q %q", code, stdout, stderr)
	}

	// Progress comes back while the file is still being sent.
	var big strings.Builder
	big.WriteString("register_number,registration_date,child_name_en,sex,date_of_birth,mother_name_en\n")
	for i := 1; i <= 20000; i++ {
		fmt.Fprintf(&big, "B-%d/2023,2023-06-01,Vishnu Prasad,male,2023-05-20,Lakshmi Devi Amma\n", i)
	}
	body := &countingBody{r: strings.NewReader(big.String())}
	sentAtFirstProgress := int64(-1)
	rep, err := appliance.ControlImport(context.Background(), dir, "births", "tester", "registrar", body, func(civil.ImportProgress) {
		if sentAtFirstProgress < 0 {
			sentAtFirstProgress = body.n.Load()
		}
	})
	if err != nil || rep.Imported != 20000 {
		t.Fatalf("a 20,000-row import through the socket: %+v %v", rep, err)
	}
	if sentAtFirstProgress < 0 || sentAtFirstProgress >= int64(big.Len()) {
		t.Errorf("the first progress came after %d of %d bytes were sent; want it while the file is still being sent", sentAtFirstProgress, big.Len())
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("the appliance exited %d after the import: %s", code, p.stderr)
	}
	code, stdout, _ = ksmart(t, "import", "births", file, "--data", dir, "--registrar", "registrar")
	if code != 1 || strings.Contains(stdout, "through the running appliance") {
		t.Fatalf("import after stopping: exit %d %s", code, stdout)
	}
	checkSummary(t, stdout, 4, 0, 3, 1)
}
