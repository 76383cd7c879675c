package main

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/journeygraph/journeygraph/journeys/survival"
)

// printSurvival writes a survival report as a table: one row per curve
// (people, how many did the step, how many are censored, the median), then
// the log-rank test (or the note). The curves' points are in --json.
func printSurvival(w io.Writer, rep survival.Report) error {
	fmt.Fprintf(w, "time to %s, in days from %s, as of %s\n\n", rep.Step, rep.From, rep.AsOf.Format("2006-01-02T15:04:05Z07:00"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "SEGMENT\tPEOPLE\tDID\tCENSORED\tMEDIAN DAYS\t")
	for _, c := range rep.Curves {
		median := "not reached"
		if c.MedianDays != nil {
			median = strconv.FormatFloat(*c.MedianDays, 'f', 2, 64)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t\n", c.Segment, c.People, c.Done, c.Censored, median)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if lr := rep.LogRank; lr != nil {
		fmt.Fprintf(w, "\nlog-rank: chi-square %.4f (%d df), p-value %.4g; events observed %g and %g, expected %.2f and %.2f\n",
			lr.Statistic, lr.DF, lr.PValue, lr.Observed[0], lr.Observed[1], lr.Expected[0], lr.Expected[1])
	}
	if rep.Note != "" {
		fmt.Fprintf(w, "\n%s\n", rep.Note)
	}
	return nil
}
