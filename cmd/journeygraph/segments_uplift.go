package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/journeygraph/journeygraph/journeys/uplift"
)

// printUplift writes an uplift report as a table: one row per group, then
// the statistics (or why there are none).
func printUplift(w io.Writer, rep uplift.Report) error {
	holdout := "none"
	if rep.Holdout != nil {
		holdout = fmt.Sprintf("share %g, salt %q", rep.Holdout.Share, rep.Holdout.Salt)
	}
	fmt.Fprintf(w, "segment %s (holdout: %s): %s within %d days of entry\n\n", rep.Segment, holdout, rep.Step, rep.Days)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "GROUP\tPEOPLE\tCONVERTED\tRATE\t")
	for _, g := range []struct {
		name string
		g    uplift.Group
	}{{"treated", rep.Treated}, {"control", rep.Control}} {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f%%\t\n", g.name, g.g.People, g.g.Converted, 100*g.g.Rate)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if rep.Stats == nil {
		_, err := fmt.Fprintf(w, "\n%s\n", rep.Note)
		return err
	}
	st := rep.Stats
	_, err := fmt.Fprintf(w, "\ndifference %+.2f points (95%% CI %+.2f to %+.2f), z %.3f, p-value %.4f\n"+
		"people per group to detect it (80%% power, alpha 0.05): %d\n",
		100*st.Difference, 100*st.CILow, 100*st.CIHigh, st.Z, st.PValue, st.SampleSize)
	return err
}
