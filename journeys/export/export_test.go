package export

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

func TestCell(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "u1", "u1"},
		{"empty", "", ""},
		{"equals", "=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"},
		{"plus", "+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"minus", "-2+3", "'-2+3"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\t=1", "'\t=1"},
		{"carriage return", "\r=1", "'\r=1"},
		{"formula later in the cell", "a=1", "a=1"},
		{"apostrophe already", "'=1", "'=1"},
		{"unicode", "é=1", "é=1"},
		{"space first", " =1", " =1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Cell(tt.in); got != tt.want {
				t.Errorf("Cell(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCSVWritesNeutralisedCells(t *testing.T) {
	var b strings.Builder
	w := NewCSV(&b)
	for _, rec := range [][]string{{"person", "since"}, {"=HYPERLINK(\"http://evil\")", "2024-01-01"}, {"@x", "-1"}} {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	want := "person,since\n\"'=HYPERLINK(\"\"http://evil\"\")\",2024-01-01\n'@x,'-1\n"
	if got := b.String(); got != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", got, want)
	}
}

func TestMemberRow(t *testing.T) {
	since := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)
	m := journeys.MemberContact{Member: journeys.Member{Person: "u1", Since: since, Version: 3}, Email: "a@b.example", LastName: "Lee"}
	got := MemberRow(m)
	want := []string{"u1", "a@b.example", "", "Lee", "", "2026-11-26T15:00:00Z", "3"}
	if !slices.Equal(got, want) || len(got) != len(MembersHeader) {
		t.Errorf("MemberRow = %q, want %q under %q", got, want, MembersHeader)
	}
}
