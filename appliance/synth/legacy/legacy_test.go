package legacy_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"ksmart/appliance/synth/legacy"
)

func TestBirths_SameSeedSameRegisterNumberedInOrder(t *testing.T) {
	var a, b bytes.Buffer
	if err := legacy.Births(&a, 25000, 7); err != nil {
		t.Fatal(err)
	}
	legacy.Births(&b, 25000, 7)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same seed wrote different registers")
	}
	rows, err := csv.NewReader(&a).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v", err)
	}
	if strings.Join(rows[0], ",") != legacy.BirthHeader || len(rows) != 25001 {
		t.Fatalf("header %v, %d rows", rows[0], len(rows))
	}
	if rows[1][0] != "B-1/1970" || rows[legacy.BirthsPerYear+1][0] != "B-1/1971" || rows[25000][0] != "B-5000/1971" {
		t.Fatalf("numbers run %s … %s … %s", rows[1][0], rows[legacy.BirthsPerYear+1][0], rows[25000][0])
	}
}
