package web

import (
	"context"
	"fmt"
	"html/template"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/drift"
	"github.com/journeygraph/journeygraph/web/chart"
)

// driftView is the drift card of a segment's page: the report of the
// last drift.DefaultDays days and its chart, or why there is none.
type driftView struct {
	Report *drift.Report
	Chart  template.HTML
	Rule   string // the reference and thresholds, in words
	Now    string // the last day's figures, in words
	Error  string
}

// segmentDriftView computes the drift card of segment name; an error is
// shown on the card, not instead of the page.
func (s *Server) segmentDriftView(ctx context.Context, name string) *driftView {
	rep, err := s.drift.Report(ctx, drift.Query{Segment: name})
	if err != nil {
		s.cfg.Log.WithField("segment", name).WithError(err).Warn("segment drift")
		return &driftView{Error: journeys.ErrorMessage(err)}
	}
	days := make([]chart.DriftDay, len(rep.Series))
	for i, f := range rep.Series {
		days[i] = chart.DriftDay{Label: f.At.Format("Jan 2"), Size: float64(f.Size), PSI: f.PSI}
	}
	v := &driftView{Report: &rep, Chart: chart.Drift(days, rep.Thresholds.PSI, "members and PSI of each day")}
	th := rep.Thresholds
	ref := "the same time " + th.Reference.String() + " before"
	if th.ReferenceAt != nil {
		ref = th.ReferenceAt.UTC().Format(time.RFC3339)
	}
	v.Rule = fmt.Sprintf("Each day is compared with %s; an alert (webhook event segment.drifted) is queued when the size changes by more than %s or the PSI of a behaviour feature exceeds %g.",
		ref, chart.FormatPct(th.SizeChange), th.PSI)
	if n := len(rep.Series); n > 0 {
		f := rep.Series[n-1]
		v.Now = fmt.Sprintf("Now %s members, %s at the reference", chart.FormatInt(f.Size), chart.FormatInt(f.ReferenceSize))
		if f.SizeChange != nil {
			v.Now += fmt.Sprintf(" (%+.1f%%)", *f.SizeChange*100)
		}
		if f.PSI != nil {
			v.Now += fmt.Sprintf("; PSI %.3f (%s)", *f.PSI, f.Feature)
		} else {
			v.Now += "; no PSI (no members with behaviour at one of the two times)"
		}
		v.Now += "."
	}
	return v
}
