package profile

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
	"gonum.org/v1/gonum/mat"
)

// Feature is one named column of the behaviour vectors. Log marks counts
// and money, which are scaled by log1p before standardising. HMMState is
// the hidden state of a hidden-state feature (HMMPrefix), nil for the
// others.
type Feature struct {
	Name     string `json:"name"`
	Unit     string `json:"unit"`
	Log      bool   `json:"log"`
	Doc      string `json:"doc"`
	HMMState *int   `json:"hmm_state,omitempty"`
}

// Windows of the features, before as_of.
const (
	Recent = 30 * 24 * time.Hour // the steps' and events' short window
	Long   = 90 * 24 * time.Hour // frequency, money, email, sessions, days, channels
)

// MainSteps are the steps counted in the last 30 days, each a feature
// step_<name>_30d.
var MainSteps = []string{"page_view", "product_view", "add_to_cart", "checkout", "purchase", "email_open", "email_click"}

// MaxChannels is the most channels whose share is a feature: the most
// frequent among the people's own events of the last 90 days.
const MaxChannels = 4

// Email steps read by the rate features (DefaultStepRules' vocabulary).
const (
	stepSent  = "email_sent"
	stepOpen  = "email_open"
	stepClick = "email_click"
)

// fixedFeatures are the features every vector holds, in column order;
// channel shares follow them.
var fixedFeatures = func() []Feature {
	fs := []Feature{
		{Name: "recency_days", Unit: "days", Log: true, Doc: "days from the person's last own event (outbound steps such as email_sent excluded) to as_of"},
		{Name: "events_30d", Unit: "events", Log: true, Doc: "own events in the 30 days before as_of"},
		{Name: "events_90d", Unit: "events", Log: true, Doc: "own events in the 90 days before as_of"},
		{Name: "value_90d", Unit: "value", Log: true, Doc: "sum of the value of own events in the 90 days before as_of (negative sums count as 0 when scaled)"},
	}
	for _, s := range MainSteps {
		fs = append(fs, Feature{Name: "step_" + s + "_30d", Unit: "events", Log: true, Doc: s + " events in the 30 days before as_of"})
	}
	return append(fs,
		Feature{Name: "email_sent_90d", Unit: "emails", Log: true, Doc: "emails sent to the person in the 90 days before as_of: the base of the two rates"},
		Feature{Name: "email_open_rate_90d", Unit: "share", Doc: "email_open / email_sent in the 90 days before as_of, at most 1 (0 when none was sent)"},
		Feature{Name: "email_click_rate_90d", Unit: "share", Doc: "email_click / email_sent in the 90 days before as_of, at most 1 (0 when none was sent)"},
		Feature{Name: "sessions_90d", Unit: "sessions", Log: true, Doc: "sessions of own events in the 90 days before as_of (a new one after 30 minutes idle or a new sender session id)"},
		Feature{Name: "days_active_90d", Unit: "days", Log: true, Doc: "UTC days with an own event in the 90 days before as_of"},
	)
}()

// HMMPrefix names the hidden-state features: hmm_p_state_<label> (the
// state's label, or its index when the model has no labels) is the
// probability that the person is in that state of the scope's hidden-state
// model (journeygraph fit) given their events before as_of: the filtered
// posterior the fit decodes (chain.StateScorer, as the propensity
// features), over the events the model observes; 0 for every state when
// the model observes none of them. The values are probabilities, not
// log-scaled, standardised like the rates.
const HMMPrefix = "hmm_p_state_"

// Features returns the fixed features followed by the share of each of
// channels (channel_share_<name>).
func Features(channels []string) []Feature {
	fs := slices.Clone(fixedFeatures)
	for _, c := range channels {
		fs = append(fs, Feature{Name: "channel_share_" + c, Unit: "share", Doc: "share of the own events of the 90 days before as_of that came through channel " + c})
	}
	return fs
}

// Vectors are the people's behaviour vectors at AsOf: one row of X per
// person (in id order), one column per feature, in the features' own
// units. A person is there when they have an own event before AsOf.
// HMMVersion is the hidden-state model whose states are the last
// features (HMMPrefix), 0 when none.
type Vectors struct {
	AsOf       time.Time
	People     []string
	Features   []Feature
	X          *mat.Dense
	HMMVersion int
}

// VectorQuery says whose vectors to compute, at which time.
type VectorQuery struct {
	AsOf         time.Time // now when zero
	PersonPrefix string
}

// Profiler computes behaviour vectors from the journeys' touches and
// discovers the groups they form.
type Profiler struct {
	Touches  journeys.TouchReader
	Outbound journeys.OutboundFunc // the outbound steps in force
	// Models is where Query.Save stores the clustering (nil: not saved),
	// and where Vectors finds the scope's current hidden-state model (nil:
	// no hidden-state features).
	Models ModelStore
	Now    func() time.Time // time.Now when nil: when a model was fitted
}

// Vectors computes every person's vector at q.AsOf, streaming the
// journeys once. When the scope has a current hidden-state model (in
// p.Models), each of its states is a feature too (HMMPrefix). Errors:
// ENOTFOUND when nobody has an own event before as_of, EUNAVAILABLE when
// the store cannot be reached.
func (p *Profiler) Vectors(ctx context.Context, q VectorQuery) (*Vectors, error) {
	if q.AsOf.IsZero() {
		q.AsOf = time.Now()
	}
	q.AsOf = q.AsOf.UTC()
	states, err := p.currentStates(ctx, q.PersonPrefix)
	if err != nil {
		return nil, fmt.Errorf("behaviour vectors: hidden-state model: %w", err)
	}
	tq := hmmQuery(journeys.TouchQuery{Filter: journeys.Filter{To: q.AsOf, PersonPrefix: q.PersonPrefix}}, states)
	set, err := p.Touches.Touches(ctx, tq)
	if err != nil {
		return nil, fmt.Errorf("behaviour vectors: %w", err)
	}
	defer set.Close()
	acc := newAccumulator(q.AsOf, p.Outbound.Steps())
	acc.states = states
	for set.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := acc.add(set.At()); err != nil {
			return nil, fmt.Errorf("behaviour vectors: hidden states: %w", err)
		}
	}
	if err := set.Err(); err != nil {
		return nil, fmt.Errorf("behaviour vectors: %w", err)
	}
	if len(acc.people) == 0 {
		return nil, journeys.Errorf(journeys.ENOTFOUND, "no person has an own event before as_of %s", q.AsOf.Format(time.RFC3339))
	}
	return acc.vectors(), nil
}

// accumulator builds the rows person by person; channel shares are kept
// per person as counts and become columns once the top channels are known.
type accumulator struct {
	rows       rowMaker
	people     []string
	fixed      [][]float64
	chanCounts []map[int]float64
	chanIndex  map[string]int
	chanNames  []string
	chanTotal  []float64
	// states, when not nil, gives the hidden-state features, kept per
	// person in hmm (stateCols: state k in hmm's column k).
	states    *chain.StateScorer
	stateCols []int
	hmm       [][]float64
}

func newAccumulator(asOf time.Time, outbound []string) *accumulator {
	return &accumulator{rows: newRowMaker(asOf, outbound), chanIndex: map[string]int{}}
}

// rowMaker computes one person's fixed features at asOf.
type rowMaker struct {
	asOf, from30, from90 int64
	outbound             map[string]bool
	stepCol              map[string]int
}

func newRowMaker(asOf time.Time, outbound []string) rowMaker {
	r := rowMaker{asOf: asOf.UnixMilli(), outbound: map[string]bool{}, stepCol: map[string]int{}}
	r.from30, r.from90 = r.asOf-Recent.Milliseconds(), r.asOf-Long.Milliseconds()
	for _, s := range outbound {
		r.outbound[s] = true
	}
	for i, s := range MainSteps {
		r.stepCol[s] = colSteps + i
	}
	return r
}

// Columns of the fixed features.
const (
	colRecency = iota
	colEvents30
	colEvents90
	colValue90
	colSteps // MainSteps follow
)

var (
	colSent      = colSteps + len(MainSteps)
	colOpenRate  = colSent + 1
	colClickRate = colSent + 2
	colSessions  = colSent + 3
	colDays      = colSent + 4
)

const dayMillis = 24 * 60 * 60 * 1000

// add computes one person's row.
func (a *accumulator) add(ts journeys.TouchSequence) error {
	var chans map[int]float64
	row, ok := a.rows.row(ts, func(channel string) {
		if chans == nil {
			chans = map[int]float64{}
		}
		c, ok := a.chanIndex[channel]
		if !ok {
			c = len(a.chanNames)
			a.chanIndex[channel] = c
			a.chanNames = append(a.chanNames, channel)
			a.chanTotal = append(a.chanTotal, 0)
		}
		chans[c]++
		a.chanTotal[c]++
	})
	if !ok {
		return nil // no own event: no behaviour to describe
	}
	if a.states != nil {
		if a.stateCols == nil {
			a.stateCols = make([]int, a.states.States())
			for k := range a.stateCols {
				a.stateCols[k] = k
			}
		}
		p := make([]float64, len(a.stateCols))
		if err := statesAt(a.states, ts, a.rows.asOf, p, a.stateCols); err != nil {
			return err
		}
		a.hmm = append(a.hmm, p)
	}
	a.people = append(a.people, ts.Person)
	a.fixed = append(a.fixed, row)
	a.chanCounts = append(a.chanCounts, chans)
	return nil
}

// row returns the fixed features of ts, calling channel with the channel
// of each own event of the 90 days that has one; false when ts has no own
// event before asOf.
func (r *rowMaker) row(ts journeys.TouchSequence, channel func(string)) ([]float64, bool) {
	row := make([]float64, len(fixedFeatures))
	last := int64(math.MinInt64)
	var opens, clicks float64
	var prev *journeys.Touch
	days := map[int64]bool{}
	timeout := journeys.DefaultSessionTimeout.Milliseconds()
	for i := range ts.Touches {
		t := &ts.Touches[i]
		if t.Step == "" || t.TS >= r.asOf {
			continue
		}
		if r.outbound[t.Step] {
			if t.Step == stepSent && t.TS >= r.from90 {
				row[colSent]++
			}
			continue
		}
		last = t.TS
		if t.TS < r.from90 {
			continue
		}
		row[colEvents90]++
		row[colValue90] += t.Value
		switch t.Step {
		case stepOpen:
			opens++
		case stepClick:
			clicks++
		}
		if prev == nil || t.TS-prev.TS > timeout || (t.Session != "" && prev.Session != "" && t.Session != prev.Session) {
			row[colSessions]++
		}
		prev = t
		days[floorDiv(t.TS, dayMillis)] = true
		if t.Channel != "" {
			channel(t.Channel)
		}
		if t.TS >= r.from30 {
			row[colEvents30]++
			if c, ok := r.stepCol[t.Step]; ok {
				row[c]++
			}
		}
	}
	if last == math.MinInt64 {
		return nil, false
	}
	row[colRecency] = float64(r.asOf-last) / dayMillis
	if row[colSent] > 0 {
		row[colOpenRate] = math.Min(1, opens/row[colSent])
		row[colClickRate] = math.Min(1, clicks/row[colSent])
	}
	row[colDays] = float64(len(days))
	return row, true
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// vectors picks the top channels and assembles the matrix.
func (a *accumulator) vectors() *Vectors {
	order := make([]int, len(a.chanNames))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int {
		if a.chanTotal[x] != a.chanTotal[y] {
			if a.chanTotal[x] > a.chanTotal[y] {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.chanNames[x], a.chanNames[y])
	})
	order = order[:min(len(order), MaxChannels)]
	channels := make([]string, len(order))
	for i, c := range order {
		channels[i] = a.chanNames[c]
	}
	fs := Features(channels)
	hmmCol := len(fs)
	v := &Vectors{AsOf: time.UnixMilli(a.rows.asOf).UTC(), People: a.people}
	if a.states != nil {
		fs = append(fs, StateFeatures(a.states)...)
		v.HMMVersion = a.states.Version
	}
	x := mat.NewDense(len(a.fixed), len(fs), nil)
	for i, row := range a.fixed {
		copy(x.RawRowView(i), row)
		if total := row[colEvents90]; total > 0 {
			for j, c := range order {
				x.Set(i, len(fixedFeatures)+j, a.chanCounts[i][c]/total)
			}
		}
		if a.hmm != nil {
			copy(x.RawRowView(i)[hmmCol:], a.hmm[i])
		}
	}
	v.Features, v.X = fs, x
	return v
}
