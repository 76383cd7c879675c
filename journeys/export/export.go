// Package export writes the CSV files journeygraph hands out (segment
// members, the rejected rows of an import) so that a spreadsheet opening
// one never takes a cell for a formula (CSV injection).
package export

import (
	"encoding/csv"
	"io"
	"strings"
)

// formulaStart holds the first characters that make a spreadsheet read a
// cell as a formula or a command (OWASP, "CSV Injection"): =, +, -, @, tab
// and carriage return.
const formulaStart = "=+-@\t\r"

// Cell returns s as a CSV cell that no spreadsheet evaluates: a value that
// starts with one of = + - @ tab or CR gets a leading apostrophe, which
// spreadsheets show as text and hide; any other value is returned as is.
// Numbers that start with - or + are quoted too (-3 becomes '-3): a person
// id or a reason cannot be told from a formula by its first character alone.
func Cell(s string) string {
	if s != "" && strings.IndexByte(formulaStart, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// CSV is a csv.Writer whose every cell goes through Cell.
type CSV struct {
	w   *csv.Writer
	row []string
}

// NewCSV returns a CSV writing to w.
func NewCSV(w io.Writer) *CSV { return &CSV{w: csv.NewWriter(w)} }

// Write writes one record, each cell neutralised by Cell.
func (c *CSV) Write(record []string) error {
	c.row = c.row[:0]
	for _, s := range record {
		c.row = append(c.row, Cell(s))
	}
	return c.w.Write(c.row)
}

// Flush writes any buffered data to the underlying writer; Error reports
// a failure.
func (c *CSV) Flush() { c.w.Flush() }

// Error reports any error of an earlier Write or Flush.
func (c *CSV) Error() error { return c.w.Error() }
