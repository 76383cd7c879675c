package ingest

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// TestRejectsCSVNeutralisesFormulas: the rejected-rows CSV quotes every
// cell that a spreadsheet would run as a formula (the file name, the field
// and the problem come from the input).
func TestRejectsCSVNeutralisesFormulas(t *testing.T) {
	var b strings.Builder
	im := &Importer{Rejects: &b}
	var res ImportResult
	rows := []journeys.RowError{{Row: 2, Field: "=cmd|' /C calc'!A0", Problem: "@SUM(1)"}, {Row: 3, Field: "ts", Problem: "-1 is not a time"}}
	if err := im.reject("=evil.csv", rows, 0, &res); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"'=evil.csv", "2", "'=cmd|' /C calc'!A0", "'@SUM(1)"}, {"'=evil.csv", "3", "ts", "'-1 is not a time"}}
	if len(got) != len(want) {
		t.Fatalf("rejects = %q, want %q", got, want)
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i, got[i], want[i])
		}
	}
	if res.Rejected != 2 {
		t.Errorf("counted %d rejected, want 2", res.Rejected)
	}
}
