package web

import (
	"html/template"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/survival"
	"github.com/journeygraph/journeygraph/web/chart"
)

// survivalData is the segment page's survival section: the form's values
// (?step=&from=&vs=), and the curves drawn, or the problem with the form.
type survivalData struct {
	Step, From, Vs string
	Report         *survival.Report
	Chart          template.HTML
	Medians        []string // each curve's median in days ("not reached")
	Error          string   // a bad step, from or vs, shown in the section
	// Members is the segment's size when the section waits for Draw
	// (more than autoSurvivalMembers and nothing asked): 0 otherwise.
	Members int
}

// autoSurvivalMembers is the largest segment whose page draws its survival
// curve unasked: the report reads every person who ever entered the
// segment (about 0.2 ms each from Neo4j), so a larger segment's page waits
// for the form's Draw.
const autoSurvivalMembers = 20000

// loadSurvival fills the segment page's survival section: the time from
// entering the segment (or first being seen) to the step asked about,
// against the vs segment when one is named (a segment larger than
// autoSurvivalMembers waits for the form). A bad query is shown in the
// section; other errors are returned.
func (s *Server) loadSurvival(c *gin.Context, seg journeys.Segment) (*survivalData, error) {
	q := survival.Query{Segment: seg.Name, Step: c.Query("step"), From: c.Query("from"), Vs: c.Query("vs")}
	d := &survivalData{Step: q.Step, From: q.From, Vs: q.Vs}
	if seg.Members > autoSurvivalMembers && q.Step == "" && q.From == "" && q.Vs == "" {
		d.Step, d.Members = survival.DefaultStep, seg.Members
		return d, nil
	}
	rep, err := survival.Compute(c.Request.Context(), s.segStore, s.segStore, q)
	switch journeys.ErrorCode(err) {
	case "":
	case journeys.EINVALID, journeys.ENOTFOUND:
		d.Error = journeys.ErrorMessage(err)
		return d, nil
	default:
		return nil, err
	}
	d.Step, d.From, d.Report = rep.Step, rep.From, &rep
	for _, cv := range rep.Curves {
		m := "not reached"
		if cv.MedianDays != nil {
			m = strconv.FormatFloat(*cv.MedianDays, 'f', 1, 64)
		}
		d.Medians = append(d.Medians, m)
	}
	d.Chart = chart.Survival(rep.Curves, "share of people who have not yet done "+rep.Step+", by days since "+fromWords[rep.From])
	return d, nil
}

// fromWords says what a survival report's time counts from.
var fromWords = map[string]string{survival.FromEntry: "entering the segment", survival.FromFirstSeen: "first being seen"}
